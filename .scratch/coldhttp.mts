import { createServer } from 'node:http';
import pg from 'pg';
import { createKeepAliveClient } from '/work/main/bench/keepAliveClient.ts';
const pc = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await pc.connect();
const direct = `select region, sum(amount)::float8 as "revenue.sum", count(*) as orders
  from tributary_bench.sales where order_ts >= '2025-06-01T00:00:00Z' and order_ts < '2025-07-01T00:00:00Z' group by 1 order by 1`;
const mode = process.env.MODE ?? 'pg';
const wait = mode === 'pg' ? () => pc.query(direct) : mode === 'sleep' ? () => new Promise((r) => setTimeout(r, 19)) : () => pc.query('select pg_sleep(0.019)');
const bytes = Buffer.from(JSON.stringify({ data: { x: [1, 2, 3] } }));
const bare = createServer((req, res) => { req.resume(); req.on('end', async () => { await wait(); res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length }); res.end(bytes); }); });
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
const bc = createKeepAliveClient(`http://127.0.0.1:${(bare.address() as any).port}`, 1);
const body = Buffer.from('{"query":"{x}"}');
const sides: Record<string, () => Promise<unknown>> = { direct: wait, bareHttp: () => bc.post('/graphql', body) };
const times: Record<string, number[]> = { direct: [], bareHttp: [] };
for (let i = 0; i < 5; i++) for (const f of Object.values(sides)) await f();
for (let i = 0; i < 60; i++) for (const [k, f] of Object.entries(sides)) { const t = performance.now(); await f(); times[k]!.push(performance.now() - t); }
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const [k, a] of Object.entries(times)) console.log(mode, k, med(a).toFixed(2));
await pc.end(); bare.close(); bc.close();
