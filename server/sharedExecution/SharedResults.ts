import type { ExecutionResult } from 'graphql';

type MaybePromise<T> = T | Promise<T>;

interface Group {
  refs: number;
  /** Per source event (a window version's payload object): its execution result, while the event lives. */
  readonly results: WeakMap<object, MaybePromise<ExecutionResult>>;
}

/**
 * Execution results of subscription events shared by the subscriptions that would compute
 * the same result: equal `key` (schema, document, operation name, variables) and the same
 * event object. A group lives while a subscription holds it (join/leave); the results are
 * held weakly by their event, so a group never keeps a window version alive.
 */
export class SharedResults {
  private readonly groups = new Map<string, Group>();
  /** Events executed (each once per group), for tests and metrics. */
  executions = 0;

  join(key: string): SharedGroup {
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { refs: 0, results: new WeakMap() }));
    group.refs += 1;
    let left = false;
    const g = group;
    return {
      resultOf: (event, execute) => {
        let result = g.results.get(event);
        if (result === undefined) {
          this.executions += 1;
          result = execute();
          g.results.set(event, result);
          // A failed execution is not kept: the next subscriber tries again.
          if (result instanceof Promise) result.catch(() => g.results.delete(event));
        }
        return result;
      },
      leave: () => {
        if (left) return;
        left = true;
        g.refs -= 1;
        if (g.refs === 0 && this.groups.get(key) === g) this.groups.delete(key);
      },
    };
  }

  /** Groups held by at least one subscription (0 once every subscription has ended). */
  get size(): number {
    return this.groups.size;
  }
}

export interface SharedGroup {
  /** The group's result for `event`, running `execute` only if no member has yet. */
  resultOf(event: object, execute: () => MaybePromise<ExecutionResult>): MaybePromise<ExecutionResult>;
  /** This subscription has ended (idempotent). */
  leave(): void;
}
