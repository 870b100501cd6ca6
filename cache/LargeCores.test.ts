import { describe, expect, it } from 'vitest';
import { coreOf, type AggregatePlan } from '../planner/index.ts';
import { desc, plan } from './derive/deriveTestPlans.ts';
import { ESTIMATE_FACTOR, LargeCores } from './LargeCores.ts';

const CORE = coreOf(plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 5 }), false);
const MAX = 100;
const TTL = 60_000;
const live = () => new AbortController().signal;

describe('LargeCores', () => {
  it('knows a core from a bounded read, per generation', () => {
    const large = new LargeCores();
    large.remember(CORE, 'g1', 101, TTL);
    expect(large.known(CORE, 'g1')).toEqual({ groups: 101, basis: 'read', expiresAt: expect.any(Number) });
    expect(large.known(CORE, 'g2')).toBeNull();
  });

  it.each([
    [ESTIMATE_FACTOR * MAX, true],
    [ESTIMATE_FACTOR * MAX - 1, false],
    [null, false],
  ])('an estimate of %s groups (maxCoreRows %s) makes the core large: %s', async (estimate, expected) => {
    const large = new LargeCores();
    expect(await large.estimateLarge(CORE, 'g', MAX, TTL, async () => estimate, live())).toBe(expected);
    expect(large.known(CORE, 'g')?.basis ?? null).toBe(expected ? 'estimate' : null);
  });

  it('asks once per core and generation within the ttl', async () => {
    const large = new LargeCores();
    let asked = 0;
    const estimate = async () => (asked++, 5);
    await large.estimateLarge(CORE, 'g', MAX, TTL, estimate, live());
    await large.estimateLarge(CORE, 'g', MAX, TTL, estimate, live());
    expect(asked).toBe(1);
    await large.estimateLarge(CORE, 'g2', MAX, TTL, estimate, live());
    expect(asked).toBe(2);
  });

  it('gives up at its deadline on an estimate that never answers, and on one that fails', async () => {
    const large = new LargeCores(30);
    expect(await large.estimateLarge(CORE, 'g', MAX, TTL, () => new Promise(() => {}), live())).toBe(false);
    expect(await large.estimateLarge(CORE, 'h', MAX, TTL, async () => Promise.reject(new Error('no')), live())).toBe(false);
  });

  it('passes the plain core (no order or limit) to the estimate, with a signal that aborts at the deadline', async () => {
    const large = new LargeCores(30);
    const seen: { limit: number | null; aborted: Promise<boolean> }[] = [];
    await large.estimateLarge(CORE, 'g', MAX, TTL, (p: AggregatePlan, signal: AbortSignal) => {
      seen.push({ limit: p.limit, aborted: new Promise((resolve) => signal.addEventListener('abort', () => resolve(true), { once: true })) });
      return new Promise(() => {});
    }, live());
    expect(seen[0]!.limit).toBeNull();
    expect(await seen[0]!.aborted).toBe(true);
  });
});
