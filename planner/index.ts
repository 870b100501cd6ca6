/** The planner: GraphQL-free requests → normalized LogicalPlans → SQL per dialect. */
export type { AggregatePlan, CorePlan, Pushdown, Filter, LeafMeasure, OrderKey, PlanDimension, Scalar, LeafFunction, CompareOp } from './LogicalPlan.ts';
export { assertNever, coreOf, dimensionKey, leafKey } from './LogicalPlan.ts';
export type { DatasetRequest } from './DatasetRequest.ts';
export { buildPlan, type QueryPlans } from './buildPlan.ts';
export { createPlanMemo } from './createPlanMemo.ts';
export { normalizeFilter } from './normalizeFilter.ts';
export { canonicalJson, planKey } from './canonicalJson.ts';
export { planBytes } from './planBytes.ts';
export { compileSql, TOTALS_FLAG, type CompiledQuery, type CompileOptions, type ResultColumn } from './compileSql.ts';
export { duckdbDialect, fileReader, materializedTable, postgresDialect, type ParamType, type SqlDialect } from './SqlDialect.ts';
export { trinoDialect } from './dialects/trinoDialect.ts';
export { columnTypesFromOids, type ColumnSqlType, type ColumnTypes } from './columns/ColumnTypes.ts';
export { printPlan, printFilter } from './printPlan.ts';
export { formatWall, parseTimeInput, wallToInstant, instantToWall, zoneOffsetAt } from './time/zonedTime.ts';
export { compileEvaluator, parseExpression, checkExpression, referencedNames, printExpression, type Expression } from './expression/index.ts';
export { truncateWall } from './time/truncateWall.ts';
export { compareHolds } from './compareHolds.ts';
export { whereToFilter } from './inputToFilter.ts';
