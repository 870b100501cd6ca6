import cluster from 'node:cluster';
import type { Config } from '../../schema/index.ts';
import type { RunningServer } from '../createServer.ts';
import type { Gateway } from '../GatewayContract.ts';
import { logger } from '../logger.ts';

/**
 * The worker side of `serve --workers N`. The primary (runPrimary.ts) forks each worker
 * with two environment variables, the contract between them: the worker's slot (1..N,
 * kept by a restarted worker) and the port every worker listens on.
 */
export const WORKER_SLOT_ENV = 'TRIBUTARY_WORKER_SLOT';
export const WORKER_PORT_ENV = 'TRIBUTARY_WORKER_PORT';

/** The response header naming the process (its PID) that answered: which worker served a request. */
export const WORKER_HEADER = 'x-tributary-worker';

export interface ClusterWorker {
  /** 1..N: stable across restarts of the worker, unlike cluster's worker ids. */
  readonly slot: number;
  readonly port: number;
}

/**
 * This process's place in the cluster, or null when it is not a worker forked by
 * runPrimary. Tags every log line of the process with `worker: <slot>`.
 */
export function joinCluster(env: NodeJS.ProcessEnv = process.env): ClusterWorker | null {
  if (!cluster.isWorker) return null;
  const slot = Number(env[WORKER_SLOT_ENV]);
  const port = Number(env[WORKER_PORT_ENV]);
  if (!Number.isInteger(slot) || slot < 1 || !Number.isInteger(port) || port < 0) {
    throw new Error(`a cluster worker needs ${WORKER_SLOT_ENV} and ${WORKER_PORT_ENV} from its primary; got ${env[WORKER_SLOT_ENV]} and ${env[WORKER_PORT_ENV]}`);
  }
  logger.setBindings({ worker: slot });
  return { slot, port };
}

/**
 * The config a worker serves. Each stream's live feed reads the whole topic through a
 * consumer group of its own (subscriptions/KafkaFeed.ts): workers sharing one group would
 * split the partitions and each see part of the events. So each worker's groups get the
 * suffix `-w<slot>`, stable across restarts of that worker as the group is across
 * restarts of a gateway. Landing writers keep their group (`landing.groupId`), shared by
 * every worker and replica, so each partition is still landed by one of them.
 */
export function configForWorker(config: Config, worker: ClusterWorker): Config {
  const streams = Object.fromEntries(
    Object.entries(config.streams).map(([name, stream]) => [
      name,
      Object.freeze({ ...stream, kafka: Object.freeze({ ...stream.kafka, groupId: `${stream.kafka.groupId}-w${worker.slot}` }) }),
    ]),
  );
  return Object.freeze({ ...config, streams: Object.freeze(streams) });
}

/**
 * Marks what a worker serves: every HTTP response carries WORKER_HEADER (its PID), and every
 * metric of its /metrics the label `worker="<slot>"`. /metrics is per worker: a scrape
 * through the shared port reads the worker that accepted the connection, so counters of
 * one worker only; the label keeps series of different workers apart.
 */
export function markWorker(server: RunningServer, gateway: Gateway, worker: ClusterWorker): void {
  const pid = String(process.pid);
  // Runs before the server's own handler, so the header goes out with whatever it writes.
  server.server.prependListener('request', (_req, res) => res.setHeader(WORKER_HEADER, pid));
  gateway.metrics.registry.setDefaultLabels({ worker: String(worker.slot) });
}
