/** `cache.l2`: defaults, and errors that name the path and the fix. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';

const withL2 = (l2: string) => parseConfig(`cache: { l2: ${l2} }\nsources: {}\ndatasets: {}`);

describe('cache.l2 config', () => {
  it('fills the defaults', () => {
    expect(withL2('{ redis: "redis://127.0.0.1:6379" }').cache.l2).toEqual({
      redis: 'redis://127.0.0.1:6379',
      prefix: 'tributary:',
      maxEntryBytes: 32 * 1024 ** 2,
      timeoutMs: 500,
      lockTimeoutMs: 10_000,
      maxWaitMs: 60_000,
    });
  });

  it('is off without the key', () => {
    expect(parseConfig('sources: {}\ndatasets: {}').cache.l2).toBeNull();
  });

  it.each([
    ['{ redis: "localhost:6379" }', 'cache.l2.redis: expected a redis:// (or rediss://) URL such as redis://127.0.0.1:6379, got "localhost:6379"'],
    ['{ redis: "redis://h", lockTimeout: 5ms }', 'cache.l2.lockTimeout: expected 100ms or more such as 10s, got "5ms"'],
    ['{ redis: "redis://h", maxEntryBytes: 12 parsecs }', 'cache.l2.maxEntryBytes: expected a size such as 512mb or 2gb, got "12 parsecs"'],
    ['{ redis: "redis://h", prefix: "" }', 'cache.l2.prefix: expected a key prefix such as "tributary:"'],
    ['{ prefix: "x:" }', 'cache.l2.redis'],
  ])('refuses %s', (l2, message) => {
    expect(() => withL2(l2)).toThrow(message);
  });
});
