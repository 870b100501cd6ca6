/**
 * trinoAnswers: true when the Trino at `url` runs a query over a connector to completion
 * within timeoutMs, through its HTTP protocol (POST /v1/statement, then GET nextUri until
 * the last page). `select 1` is not enough: a node answers it before it has registered as
 * a worker, and queries over a catalog then fail with NO_NODES_AVAILABLE ("nodes is
 * empty"), so the probe counts the 5 rows of tpch.tiny.region (the launcher's tpch catalog;
 * the suites need it anyway). Never throws: a refused connection, a starting server
 * ("SERVER_STARTING_UP"), no nodes yet or a timeout are all `false`.
 */
const PROBE = 'select count(*) from tpch.tiny.region';

export async function trinoAnswers(url, timeoutMs = 5_000, user = 'tributary') {
  const signal = AbortSignal.timeout(timeoutMs);
  const headers = { 'X-Trino-User': user };
  try {
    let page = await (await fetch(`${url}/v1/statement`, { method: 'POST', body: PROBE, headers, signal })).json();
    const rows = [];
    for (;;) {
      if (page.error) return false;
      if (page.data) rows.push(...page.data);
      if (!page.nextUri) break;
      page = await (await fetch(page.nextUri, { headers, signal })).json();
    }
    return rows.length === 1 && rows[0][0] === 5;
  } catch {
    return false;
  }
}
