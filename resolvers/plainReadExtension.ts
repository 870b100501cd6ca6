/**
 * The field extension marking a resolver that, called without the named argument, is the
 * default resolver (it returns `source[fieldName]`). A dataset row's measure field needs a
 * resolver only for `rolling:`, so analyticsFieldResolvers sets
 * `{ resolve, extensions: { [PLAIN_READ_EXTENSION]: 'rolling' } }`, and the server's
 * compiled queries (server/plugins/plainReads.ts) take such resolvers off while compiling a
 * document that never passes the argument: graphql-jit then reads the field inline.
 */
export const PLAIN_READ_EXTENSION = 'tributaryPlainRead';
