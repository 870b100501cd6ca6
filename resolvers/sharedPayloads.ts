import type { WindowState } from '../subscriptions/index.ts';

interface Group {
  refs: number;
  readonly payloads: WeakMap<WindowState, object>;
}

const groups = new Map<string, Group>();

/**
 * The payload of a window version, made once per subscription shape (order, limit,
 * calcs) and handed as the same object to every subscription of that shape: the GraphQL
 * layer (server/sharedExecution) then executes it once for all of them. Window versions
 * come from the stream operator, one object per version shared by its subscribers, so
 * keying by the version object also keys by operator (and so by row policy). Payloads
 * are held weakly by their version; a group lives while a subscription holds it.
 */
export function joinPayloads(shapeKey: string): { payloadOf(state: WindowState, build: () => object): object; leave(): void } {
  let group = groups.get(shapeKey);
  if (!group) groups.set(shapeKey, (group = { refs: 0, payloads: new WeakMap() }));
  group.refs += 1;
  const g = group;
  let left = false;
  return {
    payloadOf(state, build) {
      let payload = g.payloads.get(state);
      if (payload === undefined) g.payloads.set(state, (payload = build()));
      return payload;
    },
    leave() {
      if (left) return;
      left = true;
      g.refs -= 1;
      if (g.refs === 0 && groups.get(shapeKey) === g) groups.delete(shapeKey);
    },
  };
}

/** Shapes held by at least one subscription (0 once every subscription has ended). */
export function sharedPayloadGroups(): number {
  return groups.size;
}
