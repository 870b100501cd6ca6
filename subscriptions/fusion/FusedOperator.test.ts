import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../schema/index.ts';
import { Subscriber } from '../Subscriber.ts';
import { FusedOperator, type FusedWindowState } from './FusedOperator.ts';
import { joinWindowRows } from './joinWindowRows.ts';
import { planStreamFusion } from './StreamFusionPlan.ts';

const config = parseConfig(`
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: orders }
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
    grace: 2s
  shipments:
    kafka: { brokers: "", topic: shipments }
    dimensions: { area: { type: string } }
    measures: { shipped: { count: "*" } }
    grace: 1s
streamFusions:
  ordersVsShipments:
    join: full
    keys: { region: string }
    members: { orders: { region: region }, shipments: { region: area } }
    idleTimeout: 10s
`);
const fusion = config.streamFusions.ordersVsShipments!;
const selection = { dimensions: [{ name: 'region', granularity: null }], measures: ['revenue', 'shipped'], calcs: [] };

function setup(join: 'inner' | 'left' | 'full' = 'full') {
  let now = 1_000_000;
  const { plan } = planStreamFusion({ ...fusion, join }, { window: { tumble: '10s' } }, selection, config.server, {});
  const afterClose: [string, number][] = [];
  const operator = new FusedOperator(plan, config.streams, () => now, (stream, n) => afterClose.push([stream, n]));
  const finals: FusedWindowState[] = [];
  const changes: FusedWindowState[] = [];
  const subscriber = new Subscriber('FINAL', 0, () => {});
  subscriber.setSink((s) => (finals.push(s as FusedWindowState), 'sent'));
  void subscriber.next(); // the reader waits: versions go to the sink
  const changing = new Subscriber('CHANGES', 0, () => {});
  changing.setSink((s) => (changes.push(s as FusedWindowState), 'sent'));
  void changing.next();
  operator.join(subscriber);
  operator.join(changing);
  return { operator, finals, changes, afterClose, advance: (ms: number) => (now += ms) };
}
const order = (time: number, region: string | null, amount: number) => ({ time, dims: { region }, values: { revenue: amount } });
const shipment = (time: number, area: string | null) => ({ time, dims: { area }, values: { shipped: 1 } });

describe('FusedOperator: event-time synchronization across member streams', () => {
  it('closes a window only when every member passed end + its grace, joining the final rows', () => {
    const { operator, finals } = setup();
    operator.add(0, [order(1_000, 'east', 5), order(2_000, 'west', 7)]);
    operator.add(0, [order(13_000, 'east', 1)]); // orders passed 10 s + 2 s grace: its window is final
    expect(finals).toEqual([]); // shipments have not passed it: the fused window waits
    operator.add(1, [shipment(3_000, 'east'), shipment(4_000, 'east'), shipment(9_999, 'north')]);
    operator.add(1, [shipment(10_500, 'east')]); // 10.5 s < 11 s: within shipments' grace, not closed
    expect(finals).toEqual([]);
    operator.add(1, [shipment(9_000, 'north'), shipment(11_000, 'east')]); // a late event within grace counts; 11 s closes
    expect(finals).toHaveLength(1);
    expect(finals[0]).toMatchObject({ start: 0, end: 10_000, final: true, idle: [] });
    expect(sortRows(finals[0]!.rows)).toEqual([
      { dims: { region: 'east' }, measures: { revenue: 5, shipped: 2 } },
      { dims: { region: 'north' }, measures: { revenue: null, shipped: 2 } },
      { dims: { region: 'west' }, measures: { revenue: 7, shipped: null } },
    ]);
  });

  it('stops waiting for a member idle for idleTimeout, and the window names it', () => {
    const { operator, finals, afterClose, advance } = setup();
    operator.add(1, [shipment(1_000, 'east')]);
    operator.add(0, [order(2_000, 'east', 3), order(25_000, 'east', 4)]);
    expect(finals).toEqual([]);
    advance(9_999);
    operator.add(0, []);
    operator.tick();
    expect(finals).toEqual([]); // shipments quiet for 9.999 s < 10 s
    advance(1);
    operator.tick();
    expect(finals.map((f) => [f.start, f.idle])).toEqual([[0, ['shipments']]]);
    expect(finals[0]!.rows).toEqual([{ dims: { region: 'east' }, measures: { revenue: 3, shipped: 1 } }]);
    expect(finals[0]!.members.find((m) => m.stream === 'shipments')).toEqual({ stream: 'shipments', time: 1_000, idle: true });
    expect(afterClose).toEqual([]);
    // The idle member wakes up with events for the closed window: they are in no fused
    // window, and onAfterClose counts them. Not counted: the one for an open window, and
    // the last, which is late for the member itself (40 s - 8 s > its 1 s grace).
    operator.add(1, [shipment(5_000, 'east'), shipment(6_000, 'west'), shipment(7_000, 'east'), shipment(40_000, 'east'), shipment(8_000, 'east')]);
    expect(finals.map((f) => f.start)).toEqual([0, 20_000]);
    expect(afterClose).toEqual([['shipments', 3]]);
  });

  it('never closes on idleness alone: some member must have passed the window', () => {
    const { operator, finals, advance } = setup();
    operator.add(0, [order(1_000, 'east', 1)]);
    advance(60_000);
    operator.tick();
    expect(finals).toEqual([]);
  });

  it('counts revisions per fused window across members, and CHANGES subscribers see them', () => {
    const { operator, changes } = setup();
    operator.add(0, [order(1_000, 'east', 1)]);
    operator.add(1, [shipment(2_000, 'east')]);
    expect(changes.map((c) => [c.start, c.revision])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(changes[1]!.rows).toEqual([{ dims: { region: 'east' }, measures: { revenue: 1, shipped: 1 } }]);
  });
});

describe('FusedOperator with FINAL subscribers only', () => {
  it('joins no open versions, yet its final revision still counts every change', () => {
    const { plan } = planStreamFusion(fusion, { window: { tumble: '10s' } }, selection, config.server, {});
    const operator = new FusedOperator(plan, config.streams, () => 0);
    const finals: FusedWindowState[] = [];
    const subscriber = new Subscriber('FINAL', 0, () => {});
    subscriber.setSink((s) => (finals.push(s as FusedWindowState), 'sent'));
    void subscriber.next();
    operator.join(subscriber);
    operator.add(0, [order(1_000, 'east', 1)]);
    operator.add(1, [shipment(2_000, 'east')]);
    operator.add(0, [order(3_000, 'east', 2), order(12_000, 'west', 1)]);
    operator.add(1, [shipment(11_000, 'west')]);
    expect(finals.map((f) => [f.start, f.revision, f.rows])).toEqual([[0, 2, [{ dims: { region: 'east' }, measures: { revenue: 3, shipped: 1 } }]]]);
  });
});

describe('joinWindowRows', () => {
  const members = [
    { rows: [{ dims: { r: 'a' }, measures: { x: 1 } }, { dims: { r: 'b' }, measures: { x: 2 } }, { dims: { r: null }, measures: { x: 9 } }], keyDims: ['r'], measures: ['x'] },
    { rows: [{ dims: { s: 'b' }, measures: { y: 3 } }, { dims: { s: 'c' }, measures: { y: 4 } }, { dims: { s: null }, measures: { y: 8 } }], keyDims: ['s'], measures: ['y'] },
  ];
  const keysOf = (rows: ReturnType<typeof joinWindowRows>) => rows.map((r) => [r.dims.k, r.measures.x, r.measures.y]);
  it('inner keeps keys in every member; a null key never matches', () => {
    expect(keysOf(joinWindowRows('inner', ['k'], members))).toEqual([['b', 2, 3]]);
  });
  it('left keeps the first member\'s keys, with its null-key row unmatched', () => {
    expect(keysOf(joinWindowRows('left', ['k'], members))).toEqual([['a', 1, null], ['b', 2, 3], [null, 9, null]]);
  });
  it('full keeps every key; a member without the window gives nulls', () => {
    expect(keysOf(joinWindowRows('full', ['k'], members))).toEqual([['a', 1, null], ['b', 2, 3], ['c', null, 4], [null, 9, null], [null, null, 8]]);
    expect(keysOf(joinWindowRows('full', ['k'], [members[0]!, { ...members[1]!, rows: null }]))).toEqual([['a', 1, null], ['b', 2, null], [null, 9, null]]);
    expect(joinWindowRows('inner', ['k'], [members[0]!, { ...members[1]!, rows: null }])).toEqual([]);
  });
});

function sortRows<T extends { dims: Record<string, unknown> }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => String(a.dims.region).localeCompare(String(b.dims.region)));
}

describe('planStreamFusion', () => {
  it("renames the where on keys into each member's dimension and ANDs that member's row policy", () => {
    const policy = { kind: 'compare' as const, field: 'area', op: 'ne' as const, value: 'x' };
    const { plan } = planStreamFusion(fusion, { window: { tumble: '1m' }, where: { region: { eq: 'east' } } }, selection, config.server, { shipments: [policy] });
    expect(plan.members.map((m) => [m.stream, m.keyDims, m.measures, m.filter])).toEqual([
      ['orders', ['region'], ['revenue'], { kind: 'compare', field: 'region', op: 'eq', value: 'east' }],
      ['shipments', ['area'], ['shipped'], { kind: 'and', args: [{ kind: 'compare', field: 'area', op: 'eq', value: 'east' }, policy] }],
    ]);
    const other = planStreamFusion(fusion, { window: { tumble: '1m' }, where: { region: { eq: 'east' } } }, selection, config.server, {});
    expect(other.key).not.toBe(planStreamFusion(fusion, { window: { tumble: '1m' }, where: { region: { eq: 'east' } } }, selection, config.server, { shipments: [policy] }).key);
  });

  it('refuses session windows and since', () => {
    expect(() => planStreamFusion(fusion, { window: { session: { gap: '1m' } } }, selection, config.server, {})).toThrow(/tumble or hop/);
    expect(() => planStreamFusion(fusion, { window: { tumble: '1m' }, since: '-5m' }, selection, config.server, {})).toThrow(/do not replay/);
  });
});
