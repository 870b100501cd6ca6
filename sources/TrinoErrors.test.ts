import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors/index.ts';
import { trinoSourceError } from './TrinoErrors.ts';
import { estimatedOutputRows } from './TrinoEstimate.ts';
import { TrinoHttpError, TrinoQueryError } from './TrinoProtocol.ts';

const context = { timeoutMs: 1000, aborted: false, timedOut: false };
const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

describe('trinoSourceError: Trino failures to registry codes', () => {
  it.each([
    ['a refused connection', refused, context, ErrorCode.SOURCE_UNAVAILABLE, 'source lake is unavailable: ECONNREFUSED'],
    ['a server starting up', new TrinoQueryError('Trino server is still initializing', 'SERVER_STARTING_UP', 'INTERNAL_ERROR'), context, ErrorCode.SOURCE_UNAVAILABLE, 'source lake is unavailable: SERVER_STARTING_UP: Trino server is still initializing'],
    ['HTTP 401', new TrinoHttpError(401), context, ErrorCode.SOURCE_UNAVAILABLE, 'source lake refused the credentials (HTTP 401)'],
    ['HTTP 502 from a proxy', new TrinoHttpError(502), context, ErrorCode.SOURCE_UNAVAILABLE, 'source lake is unavailable: Trino answered HTTP 502'],
    ['Trino time limit', new TrinoQueryError('Query exceeded maximum time limit of 1.00m', 'EXCEEDED_TIME_LIMIT', 'INSUFFICIENT_RESOURCES'), context, ErrorCode.SOURCE_TIMEOUT, 'source lake: EXCEEDED_TIME_LIMIT: Query exceeded maximum time limit of 1.00m'],
    ['out of memory', new TrinoQueryError('Query exceeded per-node memory limit', 'EXCEEDED_LOCAL_MEMORY_LIMIT', 'INSUFFICIENT_RESOURCES'), context, ErrorCode.SOURCE_BUSY, 'source lake is busy: EXCEEDED_LOCAL_MEMORY_LIMIT: Query exceeded per-node memory limit'],
    ['a bad column', new TrinoQueryError("Column 'x' cannot be resolved", 'COLUMN_NOT_FOUND', 'USER_ERROR'), context, ErrorCode.SOURCE_ERROR, "source lake rejected the query: COLUMN_NOT_FOUND: Column 'x' cannot be resolved"],
    ['the statement timeout', new DOMException('aborted', 'AbortError'), { ...context, timedOut: true }, ErrorCode.SOURCE_TIMEOUT, 'source lake: query ran past the statement timeout of 1000 ms'],
    ['an aborted request', new DOMException('aborted', 'AbortError'), { ...context, aborted: true }, ErrorCode.SOURCE_TIMEOUT, 'source lake: query cancelled because the request was aborted'],
  ])('%s', (_, error, ctx, code, message) => {
    const mapped = trinoSourceError('lake', error, ctx);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toBe(message);
    expect(mapped.extensions.source).toBe('lake');
  });
});

describe('estimatedOutputRows: EXPLAIN (TYPE IO, FORMAT JSON)', () => {
  it.each([
    [JSON.stringify({ inputTableColumnInfos: [{ estimate: { outputRowCount: 60175 } }], estimate: { outputRowCount: 3.0 } }), 3],
    [{ estimate: { outputRowCount: 'NaN' } }, null],
    [{ estimate: {} }, null],
    ['not json', null],
    [null, null],
    [{ estimate: { outputRowCount: -1 } }, null],
  ])('%j -> %j', (explained, rows) => {
    expect(estimatedOutputRows(explained)).toBe(rows);
  });
});
