/**
 * The gateway's cross-cutting concerns as Yoga plugins, in the order they run: each is a
 * `useX()` of optional hooks, never an `if` in the read path.
 */
import type { Plugin } from 'graphql-yoga';
import type { Gateway } from '../gateway.ts';
import { useAuth } from './useAuth.ts';
import { useErrorCodes } from './useErrorCodes.ts';
import { useCompiledQueries } from './useCompiledQueries.ts';
import { useErrorHygiene } from './useErrorHygiene.ts';
import { useLimits } from './useLimits.ts';
import { useNestingLimit } from './useNestingLimit.ts';
import { useTrustedDocuments } from './useTrustedDocuments.ts';

export function serverPlugins(gateway: Gateway): Plugin[] {
  return [
    // Callers are verified before anything else is done for them.
    ...(gateway.authenticate ? [useAuth(gateway, gateway.authenticate)] : []),
    useErrorCodes(),
    // Hygiene follows the codes (it reads them) and precedes every plugin that may refuse a request.
    useErrorHygiene(gateway.config),
    ...useTrustedDocuments(gateway.config),
    // Before anything parses the document or coerces variables (both recurse per level).
    useNestingLimit(gateway.config.server.limits),
    ...useLimits(gateway.config.server.limits, gateway.config.server.defaultLimit),
    // Last: an operation the plugins above refuse is never compiled or run.
    useCompiledQueries(),
  ];
}
