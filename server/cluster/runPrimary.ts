import cluster, { type Worker } from 'node:cluster';
import { logger } from '../logger.ts';
import { WORKER_PORT_ENV, WORKER_SLOT_ENV } from './clusterWorker.ts';
import { RestartBudget } from './RestartBudget.ts';

export interface PrimaryOptions {
  /** Worker processes to keep running (2 or more). */
  readonly workers: number;
  /**
   * The port every worker listens on. 0 picks a free one, which workers share as long as one
   * of them listens (node:cluster keys the shared socket by the port asked for, 0); a worker
   * restarted when none was left gets a new one (logged).
   */
  readonly port: number;
  /** How long workers have to stop after SIGTERM before they are killed (default 10 s). */
  readonly stopDeadlineMs?: number;
  readonly budget?: RestartBudget;
  /** Called once, when the first worker listens (the CLI prints the GraphiQL URL). */
  readonly onServing?: (url: string) => void;
}

/** Exit code of a worker that met a usage or config error (cli/main.ts): the same for every worker, so not retried. */
const CONFIG_ERROR_EXIT = 2;

/**
 * The primary of `serve --workers N`. It serves nothing itself: it forks N workers (each
 * runs this same CLI, builds its own gateway and listens on the one port, which
 * node:cluster shares by handing accepted connections to the workers in turn), and
 *
 * - logs each worker's start;
 * - restarts a worker that dies, in the same slot, after a backoff bounded per minute
 *   (RestartBudget), except one that exits with a config error before ever listening:
 *   then every worker would, so the primary stops them all and exits 2;
 * - on SIGTERM or SIGINT sends SIGTERM to every worker (each closes its server and its
 *   gateway), kills those still running after `stopDeadlineMs`, and resolves with the exit
 *   code. A second signal kills the workers at once;
 * - on SIGHUP (a config reload) sends SIGHUP to every worker that listens, each of which
 *   reloads its own gateway as a single `serve` does. Without this listener SIGHUP's default action
 *   would end the primary, and with it every worker.
 *
 * Workers whose primary dies exit on their own (node:cluster ends a worker whose IPC
 * channel closes), so no worker outlives it.
 */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const budget = options.budget ?? new RestartBudget();
  const stopDeadlineMs = options.stopDeadlineMs ?? 10_000;
  const live = new Map<number, Worker>();
  /** Live workers that have listened (a worker that exits before is a failed start). */
  const listened = new Set<Worker>();
  let announced = false;
  const restarts = new Set<NodeJS.Timeout>();
  const port = options.port;
  let stopping: { code: number } | null = null;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));

  const fork = (slot: number) => {
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot), [WORKER_PORT_ENV]: String(port) });
    live.set(slot, worker);
    logger.info({ worker: slot, pid: worker.process.pid }, `starting worker ${slot} (pid ${worker.process.pid})`);
    worker.on('error', (error) => logger.warn({ worker: slot, err: error }, `worker ${slot}: IPC error`));
    worker.on('listening', (address) => {
      listened.add(worker);
      logger.info({ worker: slot, pid: worker.process.pid }, `worker ${slot} (pid ${worker.process.pid}) is serving on port ${address.port}`);
      if (!announced && !stopping) options.onServing?.(`http://127.0.0.1:${address.port}/graphql`);
      announced = true;
    });
    worker.on('exit', (code, signal) => onExit(slot, worker, code, signal));
  };

  const onExit = (slot: number, worker: Worker, code: number | null, signal: string | null) => {
    if (live.get(slot) === worker) live.delete(slot);
    const served = listened.delete(worker);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (stopping) {
      logger.info({ worker: slot }, `worker ${slot} stopped (${how})`);
      if (live.size === 0) finish(stopping.code);
      return;
    }
    if (code === CONFIG_ERROR_EXIT && !served) {
      logger.error({ worker: slot }, `worker ${slot} exited with a config error (above) before serving; stopping every worker`);
      return stop('config error', CONFIG_ERROR_EXIT);
    }
    const delay = budget.next();
    logger.warn({ worker: slot, pid: worker.process.pid, code, signal }, `worker ${slot} (pid ${worker.process.pid}) died (${how}); restarting it in ${delay} ms`);
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (!stopping) fork(slot);
    }, delay);
    restarts.add(timer);
  };

  const stop = (why: string, code: number) => {
    if (stopping) {
      logger.warn(`${why} again: killing the workers now`);
      for (const worker of live.values()) worker.process.kill('SIGKILL');
      return;
    }
    stopping = { code };
    logger.info(`${why}: stopping ${live.size} worker${live.size === 1 ? '' : 's'}`);
    for (const timer of restarts) clearTimeout(timer);
    restarts.clear();
    if (live.size === 0) return finish(code);
    for (const worker of live.values()) worker.process.kill('SIGTERM');
    const deadline = setTimeout(() => {
      logger.warn(`workers still running ${stopDeadlineMs} ms after SIGTERM: killing them`);
      for (const worker of live.values()) worker.process.kill('SIGKILL');
    }, stopDeadlineMs);
    deadline.unref();
  };

  const onSignal = (signal: NodeJS.Signals) => stop(signal, 0);
  const onHangup = () => {
    if (stopping) return;
    // Only workers that listen have their own SIGHUP handler (cli/main.ts serve); one still
    // starting would die of the signal's default action, and it reads the file as it starts.
    const serving = [...live.values()].filter((worker) => listened.has(worker));
    logger.info(`SIGHUP: asking ${serving.length} worker${serving.length === 1 ? '' : 's'} to reload the config`);
    for (const worker of serving) worker.process.kill('SIGHUP');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHangup);
  for (let slot = 1; slot <= options.workers; slot++) fork(slot);
  return finished.finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHangup);
  });
}
