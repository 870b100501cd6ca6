import type { Config, Grant, RoleConfig } from '../schema/index.ts';

/** Every row, every member: what a `"*"` role has everywhere. */
export const FULL_GRANT: Grant = Object.freeze({ rows: null, members: null });

/**
 * What a role may see of a dataset, fusion or stream; null when nothing. A stream's
 * landing dataset (`<stream>History`) falls under the stream's grant unless it has its own.
 */
export function grantFor(role: RoleConfig, target: string, config: Config): Grant | null {
  if (role.all) return FULL_GRANT;
  const own = role.grants[target];
  if (own) return own;
  const stream = Object.values(config.streams).find((s) => s.landing?.dataset === target);
  return (stream && role.grants[stream.name]) ?? null;
}
