export interface QueryTally {
  /** Answered with data and no errors; failed with coded errors, by code. */
  readonly outcomes: Record<string, number>;
  /** Responses that are neither: a 5xx, a masked error, an error without a code, a broken body. */
  readonly bad: string[];
}

const QUERIES = [
  // Uncached: every call goes to Postgres, so terminated connections are felt.
  (r: () => number) => `{ sales(cache: BYPASS, where: { channel: { lt: ${1 + Math.floor(r() * 7)} } }) { rows { region revenue orders } totals { orders } } }`,
  (r: () => number) => `{ sales(cache: BYPASS, orderBy: [{ revenue: DESC }], limit: ${1 + Math.floor(r() * 3)}) { rows { channel revenue } } }`,
  // Cached after the first call.
  () => '{ sales { rows { region channel revenue } } }',
  () => '{ ordersHistory(limit: 50) { rows { region orders revenue } } }',
];

/**
 * `clients` loops of HTTP queries, one at a time each, until stop(): each response must
 * be data, or errors that all carry a code other than INTERNAL_SERVER_ERROR.
 */
export function startQueryLoad(url: string, clients: number, random: () => number) {
  const tally: QueryTally = { outcomes: {}, bad: [] };
  let stopped = false;
  const one = async () => {
    const query = QUERIES[Math.floor(random() * QUERIES.length)]!(random);
    let status = 0;
    let text = '';
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }), signal: AbortSignal.timeout(30_000) });
      status = response.status;
      text = await response.text();
      const body = JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
      if (status >= 500) throw new Error('5xx');
      if (!body.errors?.length) return void (tally.outcomes.DATA = (tally.outcomes.DATA ?? 0) + 1);
      for (const e of body.errors) {
        const code = e.extensions?.code;
        if (!code || code === 'INTERNAL_SERVER_ERROR') throw new Error(`uncoded or masked: ${e.message}`);
        tally.outcomes[code] = (tally.outcomes[code] ?? 0) + 1;
      }
    } catch (error) {
      if (tally.bad.length < 100) tally.bad.push(`HTTP ${status} ${(error as Error).message}: ${text.slice(0, 200)}`);
    }
  };
  const loops = Array.from({ length: clients }, async () => {
    while (!stopped) {
      await one();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  return {
    tally,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
