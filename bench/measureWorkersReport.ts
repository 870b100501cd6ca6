import os from 'node:os';
import type { WorkersComparison, WorkersSide } from './measureWorkers.ts';

/** The bench:cache section "cached requests/s, --workers 1 vs --workers 2". */
export function formatWorkers(w: WorkersComparison): string[] {
  const out: string[] = [];
  out.push('', '== Cached requests/s, --workers 1 vs --workers 2 (tributary serve, node:cluster) ==');
  out.push(`  the real CLI (tributary serve -c <bench config> --workers N), both servers up side by side, driven in turn`);
  out.push(`  ${w.concurrency} keep-alive sockets from this process (node:http), ABBA legs of 500 ms, pooled; every answer a HIT`);
  out.push(`  query: ${w.query} (${w.resultBytes}-byte response)`);
  out.push(`  ${os.cpus().length} CPUs, shared by the load generator (this process), the primary and the workers`);
  out.push('                 req/s   requests   server CPU/request   client CPU/request');
  for (const side of [w.one, w.two]) out.push(line(side));
  const ratio = w.two.throughput.perSecond / w.one.throughput.perSecond;
  const pairs = [...w.pairRatios].sort((a, b) => a - b);
  out.push(`  ratio --workers 2 / --workers 1: ${ratio.toFixed(2)}× (per pair of adjacent legs ${pairs[0]!.toFixed(2)}× to ${pairs[pairs.length - 1]!.toFixed(2)}×)`);
  return out;
}

function line(side: WorkersSide): string {
  const t = side.throughput;
  return (
    `  --workers ${side.workers}  ${t.perSecond.toFixed(0).padStart(7)}  ${String(t.requests).padStart(9)}  ` +
    `${`${side.serverCpuMicrosPerRequest.toFixed(0)} µs`.padStart(19)}  ${`${t.cpuMicrosPerRequest.toFixed(0)} µs`.padStart(19)}`
  );
}
