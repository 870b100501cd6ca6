import { parse, execute } from 'graphql';
import { createServer } from 'node:http';
import pg from 'pg';
import { startBenchGateway, keptAlive } from '/work/main/bench/benchGateway.ts';
import { createKeepAliveClient } from '/work/main/bench/keepAliveClient.ts';
import { gatewaySchemas, startServer, type Gateway } from '/work/main/server/index.ts';

const doc = `query RevenueByRegionInJune {
  sales(cache: BYPASS, where: { orderDate: { gte: "2025-06-01", lt: "2025-07-01" } }) {
    rows { region revenue orders }
  }
}`;
const direct = `select region, sum(amount)::float8 as "revenue.sum", count(*) as orders
  from tributary_bench.sales where order_ts >= '2025-06-01T00:00:00Z' and order_ts < '2025-07-01T00:00:00Z' group by 1 order by 1`;
const bench = await startBenchGateway('postgres://postgres@127.0.0.1:5432/test', 'tributary_bench.sales');
const gateway = bench.gateway;
const pc = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await pc.connect();
let captured: any;
const recorder: Gateway = { ...gateway, answer: async (r, o) => (captured = await gateway.answer(r, o)) };
await execute({ schema: gatewaySchemas(gateway).all, document: parse(doc), contextValue: { gateway: recorder } });
const wait = process.env.MODE === "sleep" ? () => new Promise((r) => setTimeout(r, 19)) : () => pc.query(direct);
const stub: Gateway = { ...gateway, answer: async () => { await wait(); return captured; } };
const server = await startServer(stub, { port: 0, host: '127.0.0.1' });
const client = keptAlive(stub, server);
const body = JSON.stringify({ query: doc });
const text = JSON.stringify(await client.post(body));
const bytes = Buffer.from(text);
const bare = createServer((req, res) => { req.resume(); req.on('end', async () => { await wait(); res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length }); res.end(bytes); }); });
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
const bc = createKeepAliveClient(`http://127.0.0.1:${(bare.address() as any).port}`, 1);
const sides: Record<string, () => Promise<unknown>> = {
  direct: wait,
  bareHttp: async () => JSON.parse((await bc.post('/graphql', Buffer.from(body))).body.toString()),
  gateway: () => client.post(body),
};
const times: Record<string, number[]> = { direct: [], bareHttp: [], gateway: [] };
for (let i = 0; i < 5; i++) for (const f of Object.values(sides)) await f();
for (let i = 0; i < Number(process.env.N ?? 60); i++) {
  for (const [k, f] of Object.entries(sides)) { const t = performance.now(); await f(); times[k]!.push(performance.now() - t); }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const [k, a] of Object.entries(times)) console.log(k, med(a).toFixed(2));
await pc.end(); bare.close(); bc.close(); await bench.close(); await server.close();
process.exit(0);
