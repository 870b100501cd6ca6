import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { parseConfig } from './loadConfig.ts';
import { parseJsonPointer, printJsonPointer } from './parseJsonPointer.ts';

const config = (mapping: string) => `
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: orders }
    timestamp: ts
    dimensions: { region: { type: string }, vip: { type: boolean } }
    measures: { revenue: { sum: amount }, buyers: { countDistinct: customer }, net: { sum: "amount - discount" } }
${mapping}
`;

/** The lines of the ConfigErrors a config is refused with. */
function problems(mapping: string): string[] {
  try {
    parseConfig(config(mapping));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigErrors);
    return (error as ConfigErrors).errors.map((e) => e.message);
  }
  throw new Error('expected ConfigErrors, but the config was accepted');
}

describe('streams.<name>.fields and version: validation', () => {
  it('builds the mapping as data: pointer tokens, aliases as names or pointers, defaults only where given', () => {
    const stream = parseConfig(config(`    fields:
      amount: { path: /payload/amount, default: 0, aliases: [total, /legacy/sum] }
      region: { path: "/a~1b/c~0d" }
    version:
      field: schemaVersion
      mappings: { "3": { amount: { path: /payload/amount } } }`)).streams.orders!;
    expect(stream.schemaMapping).toEqual({
      fields: {
        amount: { field: 'amount', path: ['payload', 'amount'], aliases: [['total'], ['legacy', 'sum']], default: 0 },
        region: { field: 'region', path: ['a/b', 'c~d'], aliases: [] },
      },
      version: { field: ['schemaVersion'], mappings: { '3': { amount: { field: 'amount', path: ['payload', 'amount'], aliases: [] } } } },
    });
    expect('default' in stream.schemaMapping.fields.region!).toBe(false); // required
  });

  it('a stream without fields: has an empty mapping', () => {
    expect(parseConfig(config('')).streams.orders!.schemaMapping).toEqual({ fields: {}, version: null });
  });

  it.each<[string, string, string]>([
    ['a pointer without its leading /', '    fields: { amount: { path: payload/amount } }', 'streams.orders.fields.amount.path: "payload/amount" is not a JSON pointer: it must start with "/" (such as /payload/amount)'],
    ['a bad ~ escape', '    fields: { amount: { path: /pay~2load } }', 'streams.orders.fields.amount.path: "/pay~2load" is not a JSON pointer: "~" must be followed by 0 (for ~) or 1 (for /)'],
    ['a bad alias pointer', '    fields: { amount: { aliases: [total, "/x~"] } }', 'streams.orders.fields.amount.aliases.1: "/x~" is not a JSON pointer: "~" must be followed by 0 (for ~) or 1 (for /); or give a plain field name, such as total'],
    ['a string default of a summed field', '    fields: { amount: { default: "0" } }', 'streams.orders.fields.amount.default: measure revenue and measure net read field "amount" as a number or null; got "0". Use a number or null, or remove default: to make the field required'],
    ['a number default of a string dimension', '    fields: { region: { default: 5 } }', 'streams.orders.fields.region.default: dimension region reads field "region" as a string or null; got 5. Use a string or null, or remove default: to make the field required'],
    ['a string default of a boolean dimension', '    fields: { vip: { default: "no" } }', 'streams.orders.fields.vip.default: dimension vip reads field "vip" as a boolean or null; got "no". Use a boolean or null, or remove default: to make the field required'],
    ['a boolean default of a timestamp', '    fields: { ts: { default: true } }', 'streams.orders.fields.ts.default: timestamp reads field "ts" as an epoch-ms number or an ISO-8601 string; got true. Use an epoch-ms number or an ISO-8601 string, or remove default: to make the field required'],
    ['a field nobody reads (keyed by the event\'s name)', '    fields: { total: { path: /total } }', 'streams.orders.fields.total: no dimension, measure or timestamp reads field "total"; the stream reads amount, customer, discount, region, ts, vip. A mapping is keyed by the name the stream reads, not the event\'s name for it (that one goes in path: or aliases:)'],
    ['a version mapping with a bad default', '    version: { field: v, mappings: { "2": { discount: { default: "none" } } } }', 'streams.orders.version.mappings.2.discount.default: measure net reads field "discount" as a number or null; got "none". Use a number or null, or remove default: to make the field required'],
    ['a version field that is a bad pointer', '    version: { field: "/meta/~v", mappings: {} }', 'streams.orders.version.field: "/meta/~v" is not a JSON pointer: "~" must be followed by 0 (for ~) or 1 (for /); or give the top-level field name, such as schemaVersion'],
  ])('%s', (_, mapping, line) => {
    expect(problems(mapping)).toEqual([line]);
  });

  it('countDistinct of a field takes a string or number default; a field read twice is checked against both readers', () => {
    expect(() => parseConfig(config('    fields: { customer: { default: "anonymous" } }'))).not.toThrow();
    expect(problems('    fields: { customer: { default: false } }')).toEqual([
      'streams.orders.fields.customer.default: measure buyers reads field "customer" as a string, a number or null; got false. Use a string, a number or null, or remove default: to make the field required',
    ]);
  });

  it('structural mistakes are reported by the schema with their path', () => {
    expect(problems('    fields: { amount: { path: /a, defualt: 0 } }').join('\n')).toMatch(/streams\.orders\.fields\.amount.*defualt/);
    expect(problems('    fields: { amount: { aliases: total } }').join('\n')).toMatch(/streams\.orders\.fields\.amount\.aliases: expected a list of former field names \(or JSON pointers\), such as \[total\]/);
  });
});

describe('parseJsonPointer', () => {
  it.each<[string, readonly string[]]>([
    ['/a', ['a']],
    ['/payload/amount', ['payload', 'amount']],
    ['/a~1b', ['a/b']],
    ['/m~0n', ['m~n']],
    ['/~01', ['~1']], // ~1 is decoded before ~0 (RFC 6901 section 4)
    ['/', ['']],
    ['/items/0', ['items', '0']],
  ])('%s', (text, tokens) => {
    expect(parseJsonPointer(text)).toEqual(tokens);
    expect(printJsonPointer(tokens)).toBe(text);
  });
});
