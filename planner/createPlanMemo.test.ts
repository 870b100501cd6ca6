import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createPlanMemo, memoBytes } from './createPlanMemo.ts';
import type { DatasetRequest } from './DatasetRequest.ts';
import { PLANNER_TEST_CONFIG } from './plannerTestConfig.ts';

const config = parseConfig(PLANNER_TEST_CONFIG, { env: {} });
const sales = config.datasets.sales!;

/** A rows request whose `in` list holds `values` distinct 100-character strings. */
const request = (seed: number, values: number): DatasetRequest => ({
  dataset: 'sales',
  rows: { dimensions: [{ name: 'region', granularity: null }], measures: ['revenue'], calcs: [] },
  totals: null,
  where: { channel: { in: Array.from({ length: values }, (_, i) => `${seed}-${i}-`.padEnd(100, 'x')) } },
});

describe('createPlanMemo', () => {
  it('repeats of a request get the same frozen plans', () => {
    const plan = createPlanMemo();
    expect(plan(sales, request(1, 3), config.server)).toBe(plan(sales, request(1, 3), config.server));
  });

  it('a request object that is not frozen is read anew each time: changing it changes the plan', () => {
    const plan = createPlanMemo();
    const mutable = request(2, 1) as { where: unknown };
    const first = plan(sales, mutable as DatasetRequest, config.server);
    mutable.where = { channel: { in: ['other'] } };
    const second = plan(sales, mutable as DatasetRequest, config.server);
    expect(second).not.toBe(first);
    expect(JSON.stringify(second.rows!.filter)).toContain('other');
  });

  it('a frozen request object is the same request on every call (its text is remembered)', () => {
    const plan = createPlanMemo();
    const frozen = Object.freeze(request(3, 2));
    expect(plan(sales, frozen, config.server)).toBe(plan(sales, frozen, config.server));
    expect(plan(sales, frozen, config.server)).toBe(plan(sales, request(3, 2), config.server));
  });

  it('is bounded in bytes: large requests push the oldest out long before 1,000 of them', () => {
    const plan = createPlanMemo({ maxBytes: 4 * 1024 ** 2 });
    const first = plan(sales, request(0, 1_000), config.server);
    const weight = memoBytes(JSON.stringify(request(0, 1_000)), first);
    // 1,000 strings of 100 characters: ~100 kB of key, ~100 kB of canonical JSON per plan.
    expect(weight).toBeGreaterThan(300_000);
    for (let seed = 1; seed < 30; seed++) plan(sales, request(seed, 1_000), config.server);
    expect(plan(sales, request(0, 1_000), config.server)).not.toBe(first);
    // The most recent ones are still remembered.
    expect(plan(sales, request(29, 1_000), config.server)).toBe(plan(sales, request(29, 1_000), config.server));
  });

  it('a request heavier than the whole memo is planned but not remembered', () => {
    const plan = createPlanMemo({ maxBytes: 100_000 });
    const once = plan(sales, request(7, 1_000), config.server);
    expect(plan(sales, request(7, 1_000), config.server)).not.toBe(once);
    expect(plan(sales, request(8, 2), config.server)).toBe(plan(sales, request(8, 2), config.server));
  });
});
