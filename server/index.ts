/** The HTTP surface and the gateway that ties the stages together. */
export { createGateway, type Gateway, type DatasetAnswer, type SourceCall } from './gateway.ts';
export { startServer, type RunningServer, type ServerOptions } from './createServer.ts';
export { explainQuery, printExplained, type ExplainedPlan } from './explainQuery.ts';
export { logger } from './logger.ts';
export { gatewaySchemas, type GatewaySchemas } from './gatewaySchemas.ts';
export { configForWorker, embeddedSources, joinCluster, markWorker, parseWorkers, runPrimary, workersRefusal, WORKER_HEADER, type ClusterWorker } from './cluster/index.ts';
export { reloadStreamMappings, type StreamReload } from './reloadStreamMappings.ts';
