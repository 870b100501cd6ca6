/**
 * The windowing engine: events in event time → tumbling, hopping or session windows of
 * grouped aggregates, with grace, revisions and final versions. Pure: no Kafka, no timers.
 */
export type {
  AddResult,
  Aggregation,
  DimensionValue,
  MeasureInput,
  MeasureSpec,
  StreamEvent,
  WindowKey,
  WindowRow,
  WindowSpec,
  WindowState,
} from './types.ts';
export { WindowOperator, type WindowOperatorOptions } from './WindowOperator.ts';
export { TumblingWindow } from './TumblingWindow.ts';
export { HoppingWindow, MAX_WINDOWS_PER_EVENT } from './HoppingWindow.ts';
export { SessionWindows } from './SessionWindows.ts';
export { createThrottle, type Throttle } from './Throttle.ts';
export { compileEventFilter } from './compileEventFilter.ts';
