/** Config loading and validation, and the GraphQL schema generated from it. */
export type * from './Config.ts';
export { GRANULARITIES, AGGREGATIONS } from './Config.ts';
export { loadConfigFile, parseConfig, type LoadConfigOptions } from './loadConfig.ts';
export { pascalCase } from './pascalCase.ts';
export { parseDuration } from './parseDuration.ts';
export { buildTypeDefs } from './buildTypeDefs.ts';
export { landingLeaves } from './buildStreams.ts';
export { parseJsonPointer, printJsonPointer } from './parseJsonPointer.ts';
