/** Random (core, query) request pairs for the derivation differential test. */
export { seededRandom } from '../../test/support/seededRandom.ts';
import type { DatasetRequest } from '../../planner/index.ts';
import { GRANULARITIES, type Granularity } from '../../schema/index.ts';
import { rollsUpTo } from './timeRollsUp.ts';

type Where = Record<string, unknown>;
type Dim = { name: string; granularity: Granularity | null };

const MEASURES = ['revenue', 'orders', 'qtyCount', 'customers', 'avgPrice', 'maxAmount', 'minAmount', 'tax'];
/** Measures whose float sums may differ from SQL's in the last bit: never in having or order. */
const INEXACT = new Set(['tax']);

/** Core conjuncts, each with tighter versions a query may use instead. */
const CORE_CONJUNCTS: readonly [Where, Where[]][] = [
  [{ region: { in: ['East', 'North', 'West'] } }, [{ region: { in: ['East', 'West'] } }, { region: { eq: 'North' } }]],
  [{ qty: { gte: 2 } }, [{ qty: { gte: 4 } }, { qty: { gt: 5 } }, { qty: { eq: 3 } }]],
  [{ qty: { lt: 8 } }, [{ qty: { lt: 6 } }, { qty: { lte: 3 } }]],
  [{ channel: { ne: 'partner' } }, [{ channel: { notIn: ['partner', 'store'] } }]],
  [{ region: { isNull: false } }, [{ region: { eq: 'West' } }, { region: { contains: 'th' } }]],
  [{ ts: { gte: '2024-02-01' } }, [{ ts: { gte: '2024-06-01' } }]],
  [{ ts: { lt: '2024-11-20T10:30' } }, [{ ts: { lt: '2024-10-01' } }]],
  [{ OR: [{ flag: { eq: true } }, { qty: { isNull: true } }] }, []],
];

/** Extra query conjuncts; time bounds at bucket starts of several granularities, and some that are not. */
const EXTRA_CONJUNCTS: readonly Where[] = [
  { region: { in: ['Central', 'South'] } },
  { region: { notIn: ['North'] } },
  { channel: { startsWith: 's' } },
  { channel: { contains: 'e' } },
  { flag: { eq: false } },
  { qty: { isNull: true } },
  { NOT: { region: { eq: 'East' } } },
  { OR: [{ region: { isNull: true } }, { qty: { lte: 3 } }] },
  { ts: { gte: '2024-06-03' } },
  { ts: { lt: '2024-08-01' } },
  { ts: { gte: '2024-09-16' } },
  { ts: { lt: '2024-07-04T13:00' } },
  { ts: { isNull: true } },
  { OR: [{ ts: { lt: '2024-04-01' } }, { ts: { gte: '2024-12-01' } }] },
  { ts: { gte: '2024-03-10' } },
  { ts: { gte: '2024-05-15T10:30' } },
  { ts: { eq: '2024-06-01' } },
];

export interface RequestPair {
  readonly core: DatasetRequest;
  readonly query: DatasetRequest;
}

export function randomDerivation(rand: () => number): RequestPair {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number) => rand() < p;
  const some = <T>(items: readonly T[], p: number) => items.filter(() => chance(p));

  const coreDims: Dim[] = some(['region', 'channel', 'qty', 'flag'], 0.5).map((name) => ({ name, granularity: null }));
  if (chance(0.8)) {
    for (const g of new Set([pick<Granularity>(['hour', 'day', 'day', 'week', 'month']), ...(chance(0.25) ? [pick<Granularity>(['day', 'month'])] : [])])) {
      coreDims.push({ name: 'ts', granularity: g });
    }
  }
  const coreMeasures = some(MEASURES, 0.6);
  if (coreMeasures.length === 0) coreMeasures.push(pick(MEASURES));
  const conjuncts = some(CORE_CONJUNCTS, 0.25);

  const exact = chance(0.25);
  const queryDims = exact ? coreDims : queryDimensions(coreDims, chance, pick);
  const queryMeasures = some(coreMeasures, 0.6);
  const kept = conjuncts.map(([c, tighter]) => (tighter.length > 0 && chance(0.3) ? pick(tighter) : c));
  const queryWhere = [...kept, ...some(EXTRA_CONJUNCTS, 0.12)];

  const sortable = [...new Set([...queryDims.map((d) => d.name), ...coreMeasures.filter((m) => !INEXACT.has(m))])];
  const orderBy = some(sortable, 0.2).slice(0, 3).map((field) => ({ [field]: pick(['ASC', 'DESC']) }));
  const havingMeasures = coreMeasures.filter((m) => !INEXACT.has(m));
  const having = havingMeasures.length > 0 && chance(0.35) ? randomHaving(havingMeasures, pick, chance) : undefined;

  return {
    core: request(coreDims, coreMeasures, conjuncts.map(([c]) => c)),
    query: {
      ...request(queryDims, queryMeasures, queryWhere),
      having,
      orderBy,
      limit: chance(0.5) ? pick([0, 1, 3, 10, 50]) : null,
      offset: chance(0.3) ? pick([0, 1, 5, 40]) : null,
    },
  };
}

function queryDimensions(core: readonly Dim[], chance: (p: number) => boolean, pick: <T>(items: readonly T[]) => T): Dim[] {
  if (chance(0.1)) return [];
  const dims: Dim[] = [];
  for (const d of core) {
    if (!chance(0.6)) continue;
    const granularity = d.granularity && pick(GRANULARITIES.filter((g) => rollsUpTo(d.granularity!, g)));
    if (!dims.some((e) => e.name === d.name && e.granularity === granularity)) dims.push({ name: d.name, granularity });
  }
  return dims;
}

function randomHaving(measures: readonly string[], pick: <T>(items: readonly T[]) => T, chance: (p: number) => boolean): Where {
  const one = () => ({ [pick(measures)]: { [pick(['gt', 'gte', 'lt', 'lte', 'ne'])]: pick([0.5, 3.5, 17.5, 123.4567, 1000.1, 20000.3]) } });
  return chance(0.3) ? { OR: [one(), one()] } : one();
}

function request(dims: readonly Dim[], measures: readonly string[], where: readonly Where[]): DatasetRequest {
  return {
    dataset: 'facts',
    rows: { dimensions: dims, measures, calcs: [] },
    totals: null,
    where: where.length > 0 ? { AND: where } : null,
  };
}
