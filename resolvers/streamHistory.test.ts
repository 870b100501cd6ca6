import { describe, expect, it } from 'vitest';
import { TributaryError } from '../errors/index.ts';
import type { DatasetRequest } from '../planner/index.ts';
import { parseConfig } from '../schema/index.ts';
import type { DatasetAnswer } from '../server/gateway.ts';
import type { RequestContext } from './RequestContext.ts';
import { attachHistory, checkHistoryWindow, historyFieldResolver, historyRanges, keysWhere, type HistoryRow } from './streamHistory.ts';

const config = parseConfig(`
sources: { wh: { kind: postgres, url: "postgres://u@h/db" } }
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: o }
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
    landing: { source: wh, table: orders_1m, window: 1m }
    history:
      revenueLastWeek: { measure: revenue, offset: 7d }
      ordersLastWeek: { measure: orders, offset: 7d }
      recent: { measure: revenue, previousWindows: 3 }
`);
const stream = config.streams.orders!;
const fields = Object.values(stream.history);
const MINUTE = 60_000;

/** A context whose gateway answers with `answer` and records each request. */
function contextOf(answer: (request: DatasetRequest) => Promise<DatasetAnswer>) {
  const requests: DatasetRequest[] = [];
  const ctx = { requestId: 'r', gateway: { config, answer: (request: DatasetRequest) => (requests.push(request), answer(request)) } } as unknown as RequestContext;
  return { ctx, requests };
}

const noRows = async (): Promise<DatasetAnswer> => ({ rows: null, totals: null, calcs: new Map(), meta: { cache: 'MISS', sources: [], ageMs: 0, truncated: false } }) as unknown as DatasetAnswer;
/** An answer cut at the limit: more groups existed than it holds. */
const cut = async (): Promise<DatasetAnswer> => ({ ...(await noRows()), meta: { ...(await noRows()).meta, truncated: true } }) as DatasetAnswer;

describe('stream history fields: ranges, windows, queries per version', () => {
  it('fields of one range share it; bounds are the same window offset earlier, or the N windows before', () => {
    const ranges = historyRanges(fields);
    expect(ranges.map((r) => [r.key, r.fields.map((f) => f.name)])).toEqual([
      ['offset:604800000', ['revenueLastWeek', 'ordersLastWeek']],
      ['previous:3', ['recent']],
    ]);
    const start = Date.UTC(2026, 0, 8, 12, 0);
    expect(ranges[0]!.bounds(start, start + 2 * MINUTE)).toEqual([start - 7 * 86_400_000, start + 2 * MINUTE - 7 * 86_400_000]);
    expect(ranges[1]!.bounds(start, start + 2 * MINUTE)).toEqual([start - 6 * MINUTE, start]);
  });

  it('a window that is not whole landing windows, or a session, is BAD_USER_INPUT naming the fields and the landing window', () => {
    expect(() => checkHistoryWindow({ kind: 'tumble', sizeMs: 2 * MINUTE }, stream, ['recent'])).not.toThrow();
    expect(() => checkHistoryWindow({ kind: 'hop', sizeMs: 5 * MINUTE, advanceMs: MINUTE }, stream, ['recent'])).not.toThrow();
    for (const window of [{ kind: 'tumble', sizeMs: 90_000 }, { kind: 'hop', sizeMs: 2 * MINUTE, advanceMs: 30_000 }, { kind: 'session', gapMs: MINUTE }] as const) {
      const error = (() => {
        try {
          checkHistoryWindow(window, stream, ['recent', 'revenueLastWeek']);
        } catch (e) {
          return e as TributaryError;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(TributaryError);
      expect(error!.code).toBe('BAD_USER_INPUT');
      expect(error!.message).toMatch(/^recent, revenueLastWeek: history fields need .* landing window \(60000 ms\); got /);
    }
  });

  it('one query per range for a whole version, whatever its rows; nothing landed reads null', async () => {
    const { ctx, requests } = contextOf(noRows);
    const rows: HistoryRow[] = ['east', 'north', 'south', 'west'].map((region) => ({ region, revenue: 1 }));
    const start = Date.UTC(2026, 0, 8, 12, 0);
    attachHistory(rows, { start, end: start + MINUTE }, { ctx, options: {}, stream, config, ranges: historyRanges(fields), groupBy: ['region'], where: { region: { ne: 'x' } } });
    expect(requests).toHaveLength(2);
    expect(requests.map((r) => [r.rows!.measures, r.where])).toEqual([
      [['revenue', 'orders'], { AND: [{ region: { ne: 'x' } }, { windowStart: { gte: '2026-01-01T12:00:00.000Z', lt: '2026-01-01T12:01:00.000Z' } }] }],
      [['revenue'], { AND: [{ region: { ne: 'x' } }, { windowStart: { gte: '2026-01-08T11:57:00.000Z', lt: '2026-01-08T12:00:00.000Z' } }] }],
    ]);
    expect(await Promise.all(rows.map((row) => historyFieldResolver('revenueLastWeek')(row)))).toEqual([null, null, null, null]);
  });

  it('a range with more groups than maxLimit is asked again for the version\'s keys only; still too many is LIMIT_EXCEEDED on its fields', async () => {
    const range = historyRanges(fields).slice(0, 1);
    const rows = (): HistoryRow[] => [{ region: 'east' }, { region: null }, { region: 'west' }, { region: 'east' }];
    const whole = { windowStart: { gte: '1970-01-01T00:00:00.000Z', lt: '1970-01-01T00:01:00.000Z' } };
    // Cut once: the second request names the keys, and the fields answer from it.
    let calls = 0;
    const once = contextOf(async () => (++calls === 1 ? cut() : noRows()));
    const answered = rows();
    attachHistory(answered, { start: 7 * 86_400_000, end: 7 * 86_400_000 + MINUTE }, { ctx: once.ctx, options: {}, stream, config, ranges: range, groupBy: ['region'], where: null });
    expect(await historyFieldResolver('revenueLastWeek')(answered[0]!)).toBeNull();
    expect(once.requests.map((r) => r.where)).toEqual([whole, { AND: [whole, { OR: [{ region: { in: ['east', 'west'] } }, { region: { isNull: true } }] }] }]);
    expect(once.requests.map((r) => r.limit)).toEqual([config.server.maxLimit, config.server.maxLimit]);
    // Cut twice: the fields fail with LIMIT_EXCEEDED, naming the limit.
    const twice = contextOf(cut);
    const failed = rows();
    attachHistory(failed, { start: 7 * 86_400_000, end: 7 * 86_400_000 + MINUTE }, { ctx: twice.ctx, options: {}, stream, config, ranges: range, groupBy: ['region'], where: null });
    const error = await historyFieldResolver('ordersLastWeek')(failed[1]!).then(() => null, (e: unknown) => e as TributaryError);
    expect(error).toBeInstanceOf(TributaryError);
    expect(error!.code).toBe('LIMIT_EXCEEDED');
    expect(error!.message).toMatch(/^revenueLastWeek, ordersLastWeek: this window's rows have more than server.maxLimit \(\d+\) groups/);
  });

  it('keysWhere keeps exactly the rows\' groups: in-lists for one dimension, a conjunction per key for several, nulls as isNull', () => {
    expect(keysWhere(['region'], [{ region: 'b' }, { region: 'a' }, { region: 'b' }])).toEqual({ region: { in: ['b', 'a'] } });
    expect(keysWhere(['region'], [{ region: null }])).toEqual({ region: { isNull: true } });
    expect(keysWhere(['region', 'channel'], [{ region: 'a', channel: null }, { region: 'a', channel: 'web' }, { region: 'a', channel: null }])).toEqual({
      OR: [{ AND: [{ region: { eq: 'a' } }, { channel: { isNull: true } }] }, { AND: [{ region: { eq: 'a' } }, { channel: { eq: 'web' } }] }],
    });
  });

  it('a failed query fails the fields that await it, and leaves no unhandled rejection where nobody does', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { ctx } = contextOf(async () => {
        throw new TributaryError('SOURCE_ERROR', 'source wh could not run the query');
      });
      const awaited: HistoryRow[] = [{ region: 'east' }];
      const ignored: HistoryRow[] = [{ region: 'east' }, { region: 'west' }];
      const query = { ctx, options: {}, stream, config, ranges: historyRanges(fields), groupBy: ['region'], where: null };
      attachHistory(awaited, { start: 0, end: MINUTE }, query);
      attachHistory(ignored, { start: 0, end: MINUTE }, query); // a payload never executed
      await expect(historyFieldResolver('recent')(awaited[0]!)).rejects.toThrow('could not run the query');
      // Node reports unhandled rejections when a macrotask's microtasks have drained: two turns of the loop.
      for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
