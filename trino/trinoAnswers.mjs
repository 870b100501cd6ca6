/**
 * trinoAnswers: true when the Trino at `url` runs `select 1` to completion within
 * timeoutMs, through its HTTP protocol (POST /v1/statement, then GET nextUri until the
 * last page). Never throws: a refused connection, a starting server ("SERVER_STARTING_UP")
 * or a timeout are all `false`.
 */
export async function trinoAnswers(url, timeoutMs = 5_000, user = 'tributary') {
  const signal = AbortSignal.timeout(timeoutMs);
  const headers = { 'X-Trino-User': user };
  try {
    let page = await (await fetch(`${url}/v1/statement`, { method: 'POST', body: 'select 1', headers, signal })).json();
    const rows = [];
    for (;;) {
      if (page.error) return false;
      if (page.data) rows.push(...page.data);
      if (!page.nextUri) break;
      page = await (await fetch(page.nextUri, { headers, signal })).json();
    }
    return rows.length === 1 && rows[0][0] === 1;
  } catch {
    return false;
  }
}
