import { startBareYoga, type BareYoga } from './startBareYoga.ts';

/** The floor for a GraphQL server in this process: a bare Yoga with one constant resolver (`type Query { hello: String }`). */
export function startHelloServer(): Promise<BareYoga> {
  return startBareYoga('type Query { hello: String }', { Query: { hello: () => 'world' } });
}
