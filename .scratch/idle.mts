import { createServer } from 'node:http';
import { createKeepAliveClient } from '/work/main/bench/keepAliveClient.ts';
const bytes = Buffer.from(JSON.stringify({ data: { x: [1, 2, 3] } }));
const bare = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length }); res.end(bytes); }); });
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
const bc = createKeepAliveClient(`http://127.0.0.1:${(bare.address() as any).port}`, 1);
const body = Buffer.from('{"query":"{x}"}');
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const work = () => { let s = 0; for (let i = 0; i < 20000; i++) s += Math.sqrt(i); return s; };
for (const mode of ['hot', 'sleep', 'spin', 'sleep', 'hot']) {
  const t: number[] = []; const w: number[] = [];
  for (let i = 0; i < 60; i++) {
    if (mode === 'sleep') await new Promise((r) => setTimeout(r, 19));
    if (mode === 'spin') { const e = performance.now() + 19; while (performance.now() < e); }
    const a = performance.now(); await bc.post('/graphql', body); t.push(performance.now() - a);
    const b = performance.now(); work(); w.push(performance.now() - b);
  }
  console.log(mode, 'http', med(t).toFixed(3), 'then cpu work', med(w).toFixed(3));
}
bare.close(); bc.close();
