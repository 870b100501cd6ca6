/**
 * The chaos run at CI length (one minute; `npm run chaos` runs five): a gateway process
 * under mixed queries and subscriptions while Postgres backends are terminated every 3 s,
 * the Kafka broker is killed and restarted twice, and the producer spoils 1% of events as
 * malformed and 0.1% as far-future. It needs the real Postgres and starts its own broker.
 */
import { expect, it } from 'vitest';
import { runChaos } from '../chaos/runChaos.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';

const client = await connectTestPostgres();
await client?.end();

it.skipIf(!client)(
  'one minute of chaos: the gateway never exits, every query answers or fails with a code, landed totals equal the valid events exactly once, heap flat',
  async () => {
    const report = await runChaos({ seconds: 60, pgUrl: TEST_PG_URL, log: (line) => console.info(`[chaos] ${line}`) });
    console.info(`[chaos] report: ${JSON.stringify({ ...report, queries: { outcomes: report.queries.outcomes, bad: report.queries.bad.length } })}`);
    expect(report.problems).toEqual([]);
    expect(report.gatewayExited).toBeNull();
    expect(report.faults.brokerRestarts).toBe(2);
    expect(report.faults.terminatedBackends).toBeGreaterThan(0);
    expect(report.topic.malformed).toBeGreaterThan(0);
    expect(report.landed.count).toBe(report.topic.valid);
    expect(report.queries.outcomes.DATA).toBeGreaterThan(0);
  },
  300_000,
);
