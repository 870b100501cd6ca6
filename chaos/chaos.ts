/**
 * `npm run chaos`: the chaos run with a printed report. CHAOS_SECONDS sets its length
 * (default 300); TEST_PG_URL the Postgres server. Exits 1 when a check fails.
 */
import { runChaos } from './runChaos.ts';

// The runner's own clients (graphql-ws retrying against a dead gateway, say) must not end
// the run before it can report what happened.
process.on('unhandledRejection', (reason) => console.log(`[chaos] runner: unhandled rejection ${String((reason as Error)?.message ?? reason)}`));
process.on('uncaughtException', (error) => console.log(`[chaos] runner: uncaught ${String((error as Error)?.message ?? error)}`));

const seconds = Number(process.env.CHAOS_SECONDS ?? 300);
const report = await runChaos({
  seconds,
  pgUrl: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  log: (line) => console.log(`[chaos] ${line}`),
});
const q = report.queries;
console.log(`
== Chaos: ${report.seconds} s ==
gateway exited        ${report.gatewayExited ?? 'never'}
faults                ${report.faults.terminatedBackends} Postgres backends terminated, ${report.faults.brokerRestarts} broker kills + restarts
queries               ${Object.entries(q.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}; bad ${q.bad.length}
subscriptions         ${report.subscriptions.versions} window versions, ${report.subscriptions.errors} errors, ${report.subscriptions.resubscribes} resubscribes; resumed ${report.streamRecoveryMs.map((ms) => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`)).join(' and ')} after the broker restarts
produced              ${report.produced.sent} sent, ${report.produced.acked} acked, ${report.produced.failedSends} failed sends
topic (read back)     ${report.topic.valid} valid before the cutoff (amount ${report.topic.validAmount}), ${report.topic.malformed} malformed, ${report.topic.farFuture} far-future
landed                ${report.landed.count} events (amount ${report.landed.amount}) in ${report.landed.windows} window rows
heap after GC (MB)    ${report.heap.map(([s, mb]) => `${s}s ${mb}`).join(', ')}
${report.problems.length === 0 ? 'all checks hold' : `PROBLEMS:\n${report.problems.map((p) => `  - ${p}`).join('\n')}`}`);
process.exit(report.problems.length === 0 ? 0 : 1);
