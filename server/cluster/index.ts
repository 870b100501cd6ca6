/** `serve --workers N`: a primary that keeps N worker processes serving one port (node:cluster). */
export { runPrimary, type PrimaryOptions } from './runPrimary.ts';
export { RestartBudget, type RestartBudgetOptions } from './RestartBudget.ts';
export { parseWorkers } from './parseWorkers.ts';
export { configForWorker, joinCluster, markWorker, WORKER_HEADER, type ClusterWorker } from './clusterWorker.ts';
export { embeddedSources, workersRefusal, type EmbeddedSource } from './oneProcessSources.ts';
