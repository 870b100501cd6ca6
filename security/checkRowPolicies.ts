import { ConfigError } from '../errors/index.ts';
import { whereToFilter } from '../planner/index.ts';
import type { Config, DatasetConfig, DimensionType } from '../schema/index.ts';
import { isClaimRef } from './bindClaims.ts';

const SAMPLE: Record<DimensionType, unknown> = { string: 'x', number: 0, boolean: true, time: '2000-01-01' };

/**
 * Checks every role's row policies against the grammar of their dataset's `where`, with
 * each `"$claims.<path>"` standing for a sample value of the type its operator takes, so a
 * policy that could never be applied is reported at start, naming its path.
 */
export function checkRowPolicies(config: Config): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const role of Object.values(config.roles)) {
    for (const [target, grant] of Object.entries(role.grants)) {
      if (!grant.rows) continue;
      const view = config.datasets[target] ?? config.streams[target]?.view;
      if (!view) continue; // fusions take no rows; buildRoles reported it
      const at = `roles.${role.name}.${target}.rows`;
      try {
        whereToFilter(withSamples(grant.rows, view), view, { maxInList: Number.MAX_SAFE_INTEGER, maxFilterDepth: Number.MAX_SAFE_INTEGER });
      } catch (error) {
        // "where.OR[1].region.in: ..." names the spot inside the policy.
        const [, inner = '', problem = (error as Error).message] = /^where([^:]*): (.*)$/s.exec((error as Error).message) ?? [];
        errors.push(new ConfigError(`${at}${inner}`, `${problem} (rows use the where grammar of ${target})`));
      }
    }
  }
  return errors;
}

function withSamples(node: unknown, view: DatasetConfig): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === 'AND' || key === 'OR') return [key, Array.isArray(value) ? value.map((v) => withSamples(v, view)) : value];
      if (key === 'NOT') return [key, withSamples(value, view)];
      const type = view.dimensions[key]?.type;
      if (!type || value === null || typeof value !== 'object') return [key, value];
      const ops = Object.entries(value).map(([op, operand]) => {
        const sample = op === 'isNull' ? true : SAMPLE[type];
        if (isClaimRef(operand)) return [op, op === 'in' || op === 'notIn' ? [sample] : sample];
        if (Array.isArray(operand)) return [op, operand.map((v) => (isClaimRef(v) ? sample : v))];
        return [op, operand];
      });
      return [key, Object.fromEntries(ops)];
    }),
  );
}
