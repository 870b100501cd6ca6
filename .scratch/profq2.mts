import { parse, execute } from 'graphql';
import { startBenchGateway, keptAlive } from '/work/main/bench/benchGateway.ts';
import { gatewaySchemas, startServer, type Gateway } from '/work/main/server/index.ts';

const doc = `query RevenueByRegionInJune {
  sales(cache: BYPASS, where: { orderDate: { gte: "2025-06-01", lt: "2025-07-01" } }) {
    rows { region revenue orders }
  }
}`;
const bench = await startBenchGateway('postgres://postgres@127.0.0.1:5432/test', 'tributary_bench.sales');
const gateway = bench.gateway;
let captured: any;
const recorder: Gateway = { ...gateway, answer: async (r, o) => (captured = await gateway.answer(r, o)) };
await execute({ schema: gatewaySchemas(gateway).all, document: parse(doc), contextValue: { gateway: recorder } });
const stub: Gateway = { ...gateway, answer: async () => captured };
const server = await startServer(stub, { port: 0, host: '127.0.0.1' });
const client = keptAlive(stub, server);
const body = JSON.stringify({ query: doc });
const N = Number(process.env.N ?? 20000);
for (let i = 0; i < 2000; i++) await client.post(body);
const t0 = performance.now();
for (let i = 0; i < N; i++) await client.post(body);
console.log('per request ms', ((performance.now() - t0) / N).toFixed(3));
console.log(JSON.stringify(await client.post(body)));
await bench.close(); await server.close();
process.exit(0);
