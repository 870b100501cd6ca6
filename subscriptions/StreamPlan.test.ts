import { describe, expect, it } from 'vitest';
import { TributaryError } from '../errors/index.ts';
import { parseConfig } from '../schema/index.ts';
import { planSubscription } from './StreamPlan.ts';

const config = parseConfig(`
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: orders }
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" } }
`);
const view = config.streams.orders!.view;
const selection = { dimensions: [{ name: 'region', granularity: null }], measures: ['orders'], calcs: [] };
const plan = (window: Parameters<typeof planSubscription>[1]['window']) => planSubscription(view, { window }, selection, config.server, Date.UTC(2026, 0, 1));

function codeOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof TributaryError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a TributaryError');
}

describe('planSubscription: window bounds', () => {
  it('refuses a hop that puts each event in more than 1,000 windows, naming the limit and the fix', () => {
    expect(codeOf(() => plan({ hop: { size: '1d', advance: '1ms' } }))).toEqual({
      code: 'LIMIT_EXCEEDED',
      message:
        'window.hop: size 1d with advance 1ms puts every event in 86400000 windows; the limit is 1000 windows per event (size / advance). Use an advance of at least 86400ms, or a tumble window',
    });
    expect(codeOf(() => plan({ hop: { size: '1001ms', advance: '1ms' } })).code).toBe('LIMIT_EXCEEDED');
  });

  it('accepts a hop of exactly 1,000 windows per event', () => {
    expect(plan({ hop: { size: '1000s', advance: '1s' } }).plan.window).toEqual({ kind: 'hop', sizeMs: 1_000_000, advanceMs: 1_000 });
    expect(plan({ hop: { size: '1d', advance: '86400ms' } }).plan.window).toEqual({ kind: 'hop', sizeMs: 86_400_000, advanceMs: 86_400 });
  });

  it('still refuses an advance longer than the size as BAD_USER_INPUT', () => {
    expect(codeOf(() => plan({ hop: { size: '1s', advance: '2s' } })).code).toBe('BAD_USER_INPUT');
  });
});

describe('planSubscription: since', () => {
  const since = (text: string) => planSubscription(view, { window: { tumble: '1m' }, since: text }, selection, config.server, Date.UTC(2026, 0, 1)).plan;

  it('keeps a relative since as a duration back from stream time (resolved by StreamHub), not from the wall clock', () => {
    expect(since('-15m')).toMatchObject({ sinceMs: null, sinceBackMs: 900_000 });
  });

  it('takes an absolute since as an ISO-8601 time', () => {
    expect(since('2025-06-01T00:00:00Z')).toMatchObject({ sinceMs: Date.UTC(2025, 5, 1), sinceBackMs: null });
  });

  it('refuses anything else as BAD_USER_INPUT', () => {
    expect(codeOf(() => since('yesterday'))).toEqual({ code: 'BAD_USER_INPUT', message: 'since: expected "-15m" or an ISO-8601 time, got "yesterday"' });
    expect(codeOf(() => since('-soon')).code).toBe('BAD_USER_INPUT');
  });
});
