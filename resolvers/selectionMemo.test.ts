import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { DatasetRequest } from '../planner/index.ts';
import { createSelectionMemo } from './selectionMemo.ts';

const node = { kind: 'Field' } as unknown as FieldNode;
const info = (variableValues: Record<string, unknown>) => ({ fieldNodes: [node], variableValues }) as unknown as GraphQLResolveInfo;
const read = (): DatasetRequest => ({
  dataset: 'sales',
  rows: { dimensions: [{ name: 'region', granularity: null }], measures: ['revenue'], calcs: [] },
  totals: null,
  where: { region: { in: ['EU'] } },
});

describe('createSelectionMemo', () => {
  it('hands a repeated request the same object, deep-frozen, so nothing downstream can change what the next request gets', () => {
    const memo = createSelectionMemo();
    const first = memo(info({}), read);
    expect(memo(info({}), read)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.rows!.dimensions[0])).toBe(true);
    expect(Object.isFrozen((first.where as { region: { in: string[] } }).region.in)).toBe(true);
  });

  it('other variable values are another request', () => {
    const memo = createSelectionMemo();
    expect(memo(info({ a: 1 }), read)).not.toBe(memo(info({ a: 2 }), read));
  });
});
