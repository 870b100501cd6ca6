import { DEMO_START_ISO, bucketThresholds, demoDayWeights } from './salesCalendar.ts';
import {
  DEMO_CUSTOMERS, demoCategories, demoChannelWeights, demoChannels, demoCountries, demoDiscountPcts,
  demoDiscountWeights, demoLocalHourWeights, demoProducts, demoQuantityWeights, demoRegions, demoReturnPermille,
} from './salesCatalog.ts';

/** Largest row count the generator supports: `(n * 4 + 3) * 2654435761` must stay inside int8. */
export const MAX_SEED_ROWS = 100_000_000;

const MASK32 = 4294967295;
const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const textArray = (xs: readonly string[]): string => `ARRAY[${xs.map(sqlText).join(', ')}]::text[]`;
const intArray = (xs: readonly number[]): string => `'{${xs.join(',')}}'::int8[]`;

/** One xorshift-multiply round of a 32-bit integer hash (constant 0x45d9f3b), kept in int8 and masked to 32 bits. */
const mixRound = (x: string): string => `((((${x} >> 16) # ${x}) * 73244475) & ${MASK32})`;

/**
 * A derived table that is evaluated as written. `OFFSET 0` stops the planner from flattening it
 * into its parent, which would copy each column's expression into every place that uses it;
 * the hash rounds use their input twice, so flattening would multiply the work per round.
 */
const stage = (columns: readonly string[], from: string, alias: string): string =>
  `(SELECT ${columns.join(', ')} FROM ${from} OFFSET 0) AS ${alias}`;

/**
 * SQL that inserts rows `first..last` (inclusive, 1-based ids) of a `total`-row demo sales table
 * into `target` (an already quoted, qualified table name).
 *
 * Contract: the value of every column of row n depends only on n and `total` — never on the chunk
 * boundaries, the server, or `random()` — so any chunking gives the same table in PGlite and
 * PostgreSQL. Four independent 32-bit hashes of n (Knuth multiplicative step, then two rounds of
 * `mixRound`) feed every random choice; weighted choices use `width_bucket` over integer
 * thresholds. Ids grow with the order day (like a real order table); the time of day is drawn from
 * a local-time intraday curve shifted by the region's UTC offset.
 */
export function buildSalesInsert(target: string, first: number, last: number, total: number): string {
  const days = bucketThresholds(demoDayWeights());
  const hours = bucketThresholds(demoLocalHourWeights);
  const quantity = bucketThresholds(demoQuantityWeights);
  const prod = bucketThresholds(demoProducts.map((p) => p.weight));
  const chan = bucketThresholds(demoChannelWeights);
  const disc = bucketThresholds(demoDiscountWeights);
  const countries = bucketThresholds(demoCountries.map((c) => c.customerWeight));
  // Customers 1..N are split into contiguous id ranges per country, sized by customer weight.
  const countryStarts = countries.thresholds.map((t) => Math.floor((DEMO_CUSTOMERS * t) / countries.total));
  const C = DEMO_CUSTOMERS;

  const streams = [0, 1, 2, 3];
  const seeded = stage(
    ['n', ...streams.map((k) => `(((n * 4 + ${k}) * 2654435761) & ${MASK32}) AS x${k}`)],
    `generate_series(${first}::int8, ${last}::int8) AS g(n)`, 's1');
  const round1 = stage(['n', ...streams.map((k) => `${mixRound(`x${k}`)} AS x${k}`)], seeded, 's2');
  const round2 = stage(['n', ...streams.map((k) => `${mixRound(`x${k}`)} AS x${k}`)], round1, 's3');
  const hashed = stage(['n', ...streams.map((k) => `((x${k} >> 16) # x${k}) AS h${k}`)], round2, 's4');

  // Half the orders come from a skewed draw (rank = u²/N favours low ranks); ranks are then
  // scattered over the id space by a bijection (30011 is coprime with 50,000).
  const rank = `CASE WHEN (h0 / ${C}) % 2 = 0 THEN h0 % ${C} ELSE ((h0 % ${C}) * (h0 % ${C})) / ${C} END`;
  const choices = stage([
    'n',
    `(${rank}) * 30011 % ${C} + 1 AS customer_id`,
    `width_bucket((h0 / ${2 * C}) % ${quantity.total}, ${intArray(quantity.thresholds)}) AS quantity`,
    `width_bucket(((n - 1) * ${days.total}) / ${total}, ${intArray(days.thresholds)}) - 1 AS day`,
    `width_bucket(h1 % ${hours.total}, ${intArray(hours.thresholds)}) - 1 AS local_hour`,
    `(h1 / ${hours.total}) % 3600 AS second_of_hour`,
    `width_bucket(h2 % ${prod.total}, ${intArray(prod.thresholds)}) AS p`,
    `width_bucket((h2 / ${prod.total}) % ${chan.total}, ${intArray(chan.thresholds)}) AS ch`,
    `(${intArray(demoDiscountPcts)})[width_bucket((h2 / ${prod.total * chan.total}) % ${disc.total}, ${intArray(disc.thresholds)})] AS disc_pct`,
    'h3 % 1000 AS return_roll',
  ], hashed, 's5');

  const priced = stage([
    '*',
    `width_bucket(customer_id - 1, ${intArray(countryStarts)}) AS c`,
    `((${intArray(demoProducts.map((p) => p.listPriceCents))})[p] * (100 - disc_pct) + 50) / 100 AS unit_cents`,
    `(${intArray(demoProducts.map((p) => p.category + 1))})[p] AS cat`,
  ], choices, 's6');
  const located = stage(['*', `(${intArray(demoCountries.map((c) => c.region + 1))})[c] AS r`], priced, 's7');

  const utcHour = `(local_hour - (${intArray(demoRegions.map((r) => r.utcOffsetHours))})[r] + 24) % 24`;
  const costPct = `(${intArray(demoProducts.map((p) => p.costPct))})[p]`;
  return `INSERT INTO ${target} (id, order_ts, region, country, product_name, category, channel, customer_id,
  quantity, unit_price, amount, cost, discount, returned)
SELECT n,
  timestamptz '${DEMO_START_ISO}' + (day * 86400 + ${utcHour} * 3600 + second_of_hour) * interval '1 second',
  (${textArray(demoRegions.map((x) => x.name))})[r],
  (${textArray(demoCountries.map((x) => x.name))})[c],
  (${textArray(demoProducts.map((x) => x.name))})[p],
  (${textArray(demoCategories)})[cat],
  (${textArray(demoChannels)})[ch],
  customer_id::int4,
  quantity::int4,
  (unit_cents::numeric / 100)::numeric(10, 2),
  ((quantity * unit_cents)::numeric / 100)::numeric(12, 2),
  (((quantity * unit_cents * ${costPct} + 50) / 100)::numeric / 100)::numeric(12, 2),
  (disc_pct::numeric / 100)::numeric(4, 2),
  return_roll < (${intArray(demoReturnPermille)})[cat]
FROM ${located}`;
}
