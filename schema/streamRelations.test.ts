import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { buildTypeDefs, parseConfig } from './index.ts';

/** A stream `orders` with the given extra keys, next to dataset `regions`. */
const config = (extra: string) => `
sources: { files: { kind: duckdb } }
datasets:
  regions: { source: files, table: r, dimensions: { region: { type: string }, manager: { type: string }, size: { type: number } } }
streams:
  orders:
    kafka: { brokers: "", topic: o }
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount } }
${extra}
`;

function errorLines(yaml: string): string[] {
  try {
    parseConfig(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigErrors);
    return (error as ConfigErrors).message.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
  }
  throw new Error('expected ConfigErrors, but the config was accepted');
}

describe('stream relations and timezone in the config', () => {
  it.each([
    ['unknown dataset', 'relations: { info: { dataset: nowhere, on: { region: region } } }', 'streams.orders.relations.info.dataset: unknown dataset "nowhere"; defined datasets: regions'],
    ['unknown stream key', 'relations: { info: { dataset: regions, on: { country: region } } }', 'streams.orders.relations.info.on.country: "country" is not a dimension of orders'],
    ['unknown target key', 'relations: { info: { dataset: regions, on: { region: area } } }', 'streams.orders.relations.info.on.region: "area" is not a dimension of regions'],
    ['key types differ', 'relations: { info: { dataset: regions, on: { region: size } } }', 'streams.orders.relations.info.on.region: orders.region is string but regions.size is number'],
    ['name of a field', 'relations: { revenue: { dataset: regions, on: { region: region } } }', 'streams.orders.relations.revenue: "revenue" is also a field of orders; names must be unique'],
    ['reserved name', 'relations: { calc: { dataset: regions, on: { region: region } } }', 'streams.orders.relations.calc: "calc" is reserved (the calculation field of every row); choose another name'],
    ['no keys', 'relations: { info: { dataset: regions, on: {} } }', 'streams.orders.relations.info.on: expected at least one key pair'],
    ['unknown time zone', 'timezone: Mars/Olympus', 'streams.orders.timezone: unknown time zone; use an IANA name such as UTC or Europe/Berlin, got "Mars/Olympus"'],
  ])('%s', (_, extra, line) => {
    expect(errorLines(config(`    ${extra}`))).toContain(line);
  });

  it('a valid relation becomes a field of the stream row typed as the related row', () => {
    const valid = parseConfig(config('    relations: { regionInfo: { dataset: regions, on: { region: region } } }\n    timezone: Europe/Berlin'));
    expect(valid.streams.orders!.view.relations).toEqual({ regionInfo: { name: 'regionInfo', dataset: 'regions', on: { region: 'region' } } });
    expect(valid.streams.orders!.view.timezone).toBe('Europe/Berlin');
    expect(buildTypeDefs(valid)).toMatch(/type OrdersRow \{[^}]*\n  regionInfo: RegionsRow\n/);
  });
});
