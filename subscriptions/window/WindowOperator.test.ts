import { describe, expect, it } from 'vitest';
import { compact, ORDERS, order } from './operatorFixture.ts';
import { WindowOperator, type WindowOperatorOptions } from './WindowOperator.ts';

const TUMBLE: WindowOperatorOptions = { ...ORDERS, window: { kind: 'tumble', sizeMs: 1000 } };

describe('WindowOperator', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['unknown window kind', { window: { kind: 'slide', sizeMs: 1000 } }, 'WindowOperator: window must be { kind: "tumble" | "hop" | "session", ... }, but received: {"kind":"slide","sizeMs":1000}'],
    ['bad window size', { window: { kind: 'tumble', sizeMs: -1 } }, 'TumblingWindow: sizeMs must be a positive integer number of milliseconds, but received: -1'],
    ['bad session gap', { window: { kind: 'session', gapMs: 0 } }, 'SessionWindows: gapMs must be a positive integer number of milliseconds, but received: 0'],
    ['negative grace', { graceMs: -5 }, 'WindowOperator: graceMs must be a finite number of milliseconds >= 0, but received: -5'],
    ['repeated groupBy', { groupBy: ['region', 'region'] }, 'WindowOperator: groupBy must be an array of distinct dimension names, but received: ["region","region"]'],
    ['unknown aggregation', { measures: [{ name: 'x', aggregation: 'median' }] }, 'WindowOperator: each measure must be { name: string, aggregation: sum | count | countDistinct | avg | min | max }, but received: {"name":"x","aggregation":"median"}'],
    ['repeated measure', { measures: [{ name: 'x', aggregation: 'sum' }, { name: 'x', aggregation: 'max' }] }, 'WindowOperator: measure names must be distinct, but received: "x"'],
    ['where not a function', { where: 'region = 1' }, 'WindowOperator: where must be a function of the dimensions, or absent, but received: "region = 1"'],
  ])('rejects %s', (_, override, message) => {
    expect(() => new WindowOperator({ ...TUMBLE, ...override } as WindowOperatorOptions)).toThrow(message);
  });

  it('a window is revision 0 when created and one more per changing add', () => {
    const operator = new WindowOperator(TUMBLE);
    const revisions = [order(1), order(2), order(3)].map((e) => {
      operator.add(e);
      return operator.snapshot('0')!.revision;
    });
    expect(revisions).toEqual([0, 1, 2]);
  });

  it('snapshots are frozen copies that later events do not change', () => {
    const operator = new WindowOperator(TUMBLE);
    operator.add(order(1, 'East', 5));
    const before = operator.snapshot('0')!;
    operator.add(order(2, 'East', 5));
    expect(compact(before)).toEqual({ start: 0, end: 1000, revision: 0, rows: [{ region: 'East', revenue: 5, orders: 1 }] });
    expect(Object.isFrozen(before) && Object.isFrozen(before.rows) && Object.isFrozen(before.rows[0]!.measures)).toBe(true);
    expect(operator.snapshot('1000')).toBeUndefined();
  });

  it('lateness does not depend on when closeDue runs', () => {
    const operator = new WindowOperator(TUMBLE);
    operator.add(order(100, 'East', 1));
    operator.add(order(1500, 'East', 1)); // window 0 is due, closeDue not called yet
    expect(operator.add(order(999, 'East', 50))).toMatchObject({ accepted: false, late: true });
    expect(operator.closeDue().map(compact)).toEqual([{ start: 0, end: 1000, revision: 0, rows: [{ region: 'East', revenue: 1, orders: 1 }] }]);
    expect(operator.closeDue()).toEqual([]);
  });

  it('groups by several dimensions, sorted by each in turn, nulls last', () => {
    const operator = new WindowOperator({ ...TUMBLE, groupBy: ['region', 'channel'] });
    const e = (region: string | null, channel: string | number | null) => ({ time: 1, dims: { region, channel }, values: { revenue: 1, orders: 1 } });
    [e(null, 'web'), e('West', null), e('East', 'web'), e('West', 'app'), e('East', null), e(null, null), e('East', 'app')].forEach((x) => operator.add(x));
    expect(operator.snapshot('0')!.rows.map((r) => [r.dims['region'], r.dims['channel']])).toEqual([
      ['East', 'app'],
      ['East', 'web'],
      ['East', null],
      ['West', 'app'],
      ['West', null],
      [null, 'web'],
      [null, null],
    ]);
  });

  it('flush closes everything and ends the stream', () => {
    const operator = new WindowOperator(TUMBLE);
    operator.add(order(100));
    operator.add(order(2100));
    expect(operator.flush().map((w) => [w.start, w.final])).toEqual([
      [0, true],
      [2000, true],
    ]);
    expect(operator.openWindows()).toEqual([]);
    expect(() => operator.add(order(3000))).toThrow('WindowOperator: add() after flush(); flush() ends the stream, create a new operator to start again');
  });

  it('counts events, late events and bad events; stream time is the largest good event time', () => {
    const operator = new WindowOperator(TUMBLE);
    expect(operator.streamTime).toBe(-Infinity);
    [order(5000), order(NaN), order(100), order(4000)].forEach((e) => operator.add(e));
    expect([operator.events, operator.lateEvents, operator.badEvents, operator.streamTime]).toEqual([4, 1, 1, 5000]);
  });
});
