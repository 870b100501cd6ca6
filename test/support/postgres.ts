import pg from 'pg';

/** The real PostgreSQL server integration suites run against. */
export const TEST_PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Connects to the test Postgres server. When it cannot be reached: under CI=true this
 * throws (a missing service fails the suite, it never skips silently); elsewhere it
 * prints why and returns null so the caller can `describe.skipIf(!client)`.
 */
export async function connectTestPostgres(): Promise<pg.Client | null> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, options: '-c TimeZone=UTC' });
  try {
    await client.connect();
    return client;
  } catch (error) {
    const why = `PostgreSQL at ${TEST_PG_URL} is unreachable: ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${why} (CI=true: integration suites require it)`);
    console.warn(`SKIPPING Postgres integration suite: ${why}`);
    return null;
  }
}
