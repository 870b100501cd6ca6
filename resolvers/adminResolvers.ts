import { createHash, timingSafeEqual } from 'node:crypto';
import { badInput, ErrorCode, TributaryError } from '../errors/index.ts';
import type { Config } from '../schema/index.ts';
import type { RequestContext } from './RequestContext.ts';

/** `Mutation.invalidate(dataset:)`: drops cached results; needs `Authorization: Bearer <server.adminToken>`. */
export function adminResolvers(config: Config) {
  return {
    Mutation: {
      invalidate: (_: unknown, args: { dataset?: string | null }, ctx: RequestContext): number => {
        requireAdmin(config, ctx);
        if (args.dataset != null && !config.datasets[args.dataset]) {
          throw badInput(`invalidate: unknown dataset "${args.dataset}"; known: ${Object.keys(config.datasets).join(', ')}`);
        }
        return ctx.gateway.cache.invalidate(args.dataset ?? undefined);
      },
    },
  };
}

function requireAdmin(config: Config, ctx: RequestContext): void {
  // With auth on, the Authorization header carries the caller's JWT: admins are "*" roles.
  if (ctx.access) {
    if (ctx.access.role.all) return;
    throw new TributaryError(ErrorCode.FORBIDDEN, 'invalidate needs a role with "*" (every dataset)');
  }
  const token = config.server.adminToken;
  if (!token) {
    throw new TributaryError(ErrorCode.FORBIDDEN, 'admin mutations are disabled: set server.adminToken in the config to enable them');
  }
  const presented = /^Bearer\s+(.+)$/i.exec(ctx.authorization ?? '')?.[1] ?? '';
  // Compare digests so the comparison takes the same time whatever the input.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  if (!timingSafeEqual(digest(presented), digest(token))) {
    throw new TributaryError(ErrorCode.FORBIDDEN, 'invalidate needs the header Authorization: Bearer <server.adminToken>');
  }
}
