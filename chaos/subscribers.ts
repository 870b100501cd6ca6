import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const SUBSCRIPTION = 'subscription { orders(window: { tumble: "2s" }) { start final rows { region orders revenue } } }';

/**
 * `count` graphql-ws subscribers of the orders stream. A subscription that ends with an
 * error (the broker was killed) is counted and started again a second later, as a
 * dashboard would.
 */
export function startSubscribers(httpUrl: string, count: number) {
  const tally = { versions: 0, errors: 0, resubscribes: 0 };
  const clients: Client[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const subscribe = (client: Client) => {
    client.subscribe(
      { query: SUBSCRIPTION },
      {
        next: () => void tally.versions++,
        error: () => {
          tally.errors++;
          again(client);
        },
        complete: () => again(client),
      },
    );
  };
  const again = (client: Client) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      tally.resubscribes++;
      subscribe(client);
    }, 1_000);
    timers.add(timer);
  };
  for (let i = 0; i < count; i++) {
    const client = createClient({ url: httpUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 1_000, retryWait: async () => new Promise((r) => setTimeout(r, 1_000)) });
    clients.push(client);
    subscribe(client);
  }
  return {
    tally,
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}
