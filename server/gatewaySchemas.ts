import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { buildResolvers } from '../resolvers/index.ts';
import { buildTypeDefs, type Config, type RoleConfig } from '../schema/index.ts';
import { roleView } from '../security/index.ts';
import type { Gateway } from './gateway.ts';

/** The executable schemas of a gateway: the whole one, and one per role. */
export interface GatewaySchemas {
  /** Every dataset, fusion and stream: what an open gateway serves. */
  readonly all: GraphQLSchema;
  /** What a role sees; without a role, the whole schema. */
  forRole(role: RoleConfig | null): GraphQLSchema;
}

const built = new WeakMap<Config, GatewaySchemas>();

/**
 * Builds a gateway's schemas once per config, every role's up front, so a bad one fails at
 * start. They are built here, in server/, from the resolvers: the gateway (the read path)
 * never imports the resolvers that call it.
 */
export function gatewaySchemas(gateway: Pick<Gateway, 'config'>): GatewaySchemas {
  const config = gateway.config;
  let schemas = built.get(config);
  if (!schemas) {
    const executable = (view: Config) => makeExecutableSchema({ typeDefs: buildTypeDefs(view), resolvers: buildResolvers(view) });
    const all = executable(config);
    const byRole = new Map(Object.values(config.roles).map((role) => [role.name, role.all ? all : executable(roleView(config, role))]));
    schemas = { all, forRole: (role) => (role ? byRole.get(role.name)! : all) };
    built.set(config, schemas);
  }
  return schemas;
}
