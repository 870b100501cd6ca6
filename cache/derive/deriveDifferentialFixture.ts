/** The Postgres table and dataset of the derivation differential test (deriveTable.test.ts). */
import type pg from 'pg';

export const DERIVE_SCHEMA = 'tributary_derive';
export const DERIVE_ZONE = 'America/New_York';

/**
 * 4,000 deterministic rows over 2024 (both DST changes of New York), with nulls in every
 * dimension but channel. Prices and amounts are multiples of 0.25, so float sums of partial
 * sums are exact and having/order ties agree with SQL; `tax` has cents and is compared with
 * a tolerance only.
 */
export async function createDeriveTable(client: pg.Client): Promise<void> {
  await client.query(`drop schema if exists ${DERIVE_SCHEMA} cascade; create schema ${DERIVE_SCHEMA}`);
  await client.query(`
    create table ${DERIVE_SCHEMA}.facts as
    select g as id,
      case when g % 41 = 0 then null
        else timestamptz '2024-01-01 00:00:00+00' + ((g::int8 * 2654435761) % 31622400) * interval '1 second' end as ts,
      case when g % 29 = 0 then null else (array['North','South','East','West','Central'])[1 + (g * 7) % 5] end as region,
      (array['web','store','partner'])[1 + (g * 11) % 3] as channel,
      case when g % 17 = 0 then null else 1 + (g * 5) % 9 end as qty,
      case when g % 13 = 0 then null else (g * 3) % 7 = 0 end as flag,
      case when g % 23 = 0 then null else ((g * 37) % 400) / 4.0 + 1 end::numeric(8,2) as price,
      1 + (g * 31) % 397 as customer,
      (((g * 53) % 1000) / 100.0)::numeric(8,2) as tax
    from generate_series(1, 4000) g`);
  await client.query(`
    alter table ${DERIVE_SCHEMA}.facts add column amount numeric(12,2);
    update ${DERIVE_SCHEMA}.facts set amount = price * qty;
    analyze ${DERIVE_SCHEMA}.facts`);
}

export const DERIVE_CONFIG = (url: string) => `
server: { defaultLimit: 100000, maxLimit: 100000 }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  facts:
    source: warehouse
    table: ${DERIVE_SCHEMA}.facts
    timezone: ${DERIVE_ZONE}
    dimensions:
      region: { type: string }
      channel: { type: string }
      qty: { type: number }
      flag: { type: boolean }
      ts: { type: time, granularity: day }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
      qtyCount: { count: qty }
      customers: { countDistinct: customer }
      avgPrice: { avg: price }
      maxAmount: { max: amount }
      minAmount: { min: amount }
      tax: { sum: tax }
`;
