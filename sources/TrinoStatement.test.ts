import { describe, expect, it } from 'vitest';
import { executeImmediate, toPositional, trinoLiteral } from './TrinoStatement.ts';

describe('trinoLiteral: the one place a value becomes Trino text', () => {
  it.each([
    [null, 'null'],
    [undefined, 'null'],
    ['North', "'North'"],
    ["O'Brien", "'O''Brien'"],
    ["'); drop table t; --", "'''); drop table t; --'"],
    ['', "''"],
    ['naïve ☃ \\ $1 ?', "'naïve ☃ \\ $1 ?'"],
    [true, 'true'],
    [false, 'false'],
    [42, "bigint '42'"],
    [-7, "bigint '-7'"],
    [2.5, "double '2.5'"],
    [1e-7, "double '1e-7'"],
    [2 ** 60, "double '1152921504606847000'"],
    [NaN, 'nan()'],
    [Infinity, 'infinity()'],
    [-Infinity, '-infinity()'],
    [['a', "b'c"], "array['a', 'b''c']"],
  ] as const)('%j -> %s', (value, literal) => {
    expect(trinoLiteral(value)).toBe(literal);
  });

  it('binds a bigint as BIGINT', () => {
    expect(trinoLiteral(10n)).toBe("bigint '10'");
  });

  it('refuses values it cannot type', () => {
    expect(() => trinoLiteral({ a: 1 })).toThrow('trinoLiteral: cannot bind a object ([object Object]) as a Trino parameter');
  });
});

describe('toPositional: $n markers to ? in text order', () => {
  it.each([
    ['select $1, $2', ['a', 'b'], 'select ?, ?', ['a', 'b']],
    ['select $2 where x = $1 group by $2', ['x', 'z'], 'select ? where x = ? group by ?', ['z', 'x', 'z']],
    ["select '$1', \"$2\", $1 -- $2\n/* $2 */ from t", ['v', 'w'], "select '$1', \"$2\", ? -- $2\n/* $2 */ from t", ['v']],
    ["select 'it''s $1', $1", [5], "select 'it''s $1', ?", [5]],
    ['select $10, $1', Array.from({ length: 10 }, (_, i) => i + 1), 'select ?, ?', [10, 1]],
  ] as const)('%s', (sql, params, want, values) => {
    expect(toPositional(sql, params)).toEqual({ sql: want, values });
  });

  it('fails on a marker without a parameter', () => {
    expect(() => toPositional('select $3', [1])).toThrow('toPositional: $3 has no parameter (1 given)');
  });
});

describe('executeImmediate', () => {
  it('quotes the SQL as one literal and binds values in USING', () => {
    expect(executeImmediate("select date_trunc('day', t.ts) from t where r = cast($1 as varchar)", ["x' or 1=1"])).toBe(
      "execute immediate 'select date_trunc(''day'', t.ts) from t where r = cast(? as varchar)'\nusing 'x'' or 1=1'",
    );
    expect(executeImmediate('select 1', [])).toBe("execute immediate 'select 1'");
  });
});
