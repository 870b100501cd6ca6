import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PacedProduceOptions, ProduceResult } from './pacedProducer.ts';
import type { CollectResult } from './subscriptionClients.ts';

/** What the parent asks a load process to do (bench/streamLoad.ts carries it out). */
export type LoadCommand =
  | ({ readonly kind: 'produce'; readonly brokers: string } & PacedProduceOptions)
  | { readonly kind: 'subscribe'; readonly url: string; readonly field: string; readonly query: string; readonly connections: number; readonly perConnection: number }
  | { readonly kind: 'waitFinals'; readonly count: number; readonly timeoutMs: number }
  | { readonly kind: 'collect' }
  | { readonly kind: 'closeSubscriptions' };

export interface LoadResults {
  readonly produce: ProduceResult;
  readonly subscribe: { readonly connectMs: number };
  readonly waitFinals: null;
  readonly collect: CollectResult;
  readonly closeSubscriptions: null;
}

export type LoadReply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

export interface LoadProcess {
  readonly pid: number;
  call<K extends LoadCommand['kind']>(command: Extract<LoadCommand, { kind: K }>): Promise<LoadResults[K]>;
  /** Disconnects; the child closes its clients and exits (SIGKILL after 10 s). */
  close(): Promise<void>;
}

/**
 * Starts bench/streamLoad.ts as a child process (same Node flags as this one): producers
 * and subscribers run there, so their work does not share the gateway's event loop.
 */
export function startLoadProcess(role: string): LoadProcess {
  const child: ChildProcess = fork(fileURLToPath(new URL('./streamLoad.ts', import.meta.url)), [role], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const p of pending.values()) p.reject(new Error(`load process "${role}" exited (code ${code}, signal ${signal}) before answering`));
      pending.clear();
      resolve();
    }),
  );
  child.on('message', (reply: LoadReply) => {
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) p?.resolve(reply.result);
    else p?.reject(new Error(`load process "${role}": ${reply.error}`));
  });
  return {
    pid: child.pid!,
    call: (command) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, command });
      }),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
