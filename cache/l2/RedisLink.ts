import { Redis, type RedisOptions } from 'ioredis';
import { SCRIPTS, type ScriptName } from './l2Scripts.ts';

export interface RedisLinkOptions {
  readonly url: string;
  /** Every command's deadline: a hung Redis costs a request at most this much, once. */
  readonly timeoutMs: number;
  /** The pub/sub channel to listen on, and what to do with its messages. */
  readonly channel: string;
  readonly onMessage: (message: string) => void;
  /** The subscription is (re)established: messages sent while it was not were missed. */
  readonly onSubscribed: () => void;
  /** Redis became reachable (true) or unreachable (false). */
  readonly onStatus: (up: boolean, error?: unknown) => void;
}

/** After a command times out, L2 is skipped this long: a hung Redis must not tax every request. */
const PAUSE_AFTER_TIMEOUT_MS = 2_000;

/**
 * The two connections L2 holds to Redis (commands, and a subscriber for invalidations),
 * configured so that a dead Redis never holds a request: no offline queue (a command
 * while disconnected fails at once), no retry of a command whose connection dropped, a
 * deadline on every command. Both reconnect on their own, forever, backing off to 2 s.
 * Their 'error' events are owned here: reported once per outage through onStatus.
 */
export class RedisLink {
  readonly commands: Redis;
  private readonly subscriber: Redis;
  /** null until the first connection attempt settles. */
  private up: boolean | null = null;
  private pausedUntil = 0;
  private closed = false;

  constructor(private readonly options: RedisLinkOptions) {
    const common: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(1_000, options.timeoutMs * 4),
      retryStrategy: (times) => Math.min(100 * times, 2_000),
      autoResubscribe: false,
      connectionName: 'tributary-l2',
    };
    this.commands = new Redis(options.url, { ...common, scripts: { ...SCRIPTS } });
    this.subscriber = new Redis(options.url, common);
    this.commands.on('ready', () => this.setUp(true));
    this.commands.on('close', () => this.setUp(false));
    this.commands.on('error', (error) => this.setUp(false, error));
    this.subscriber.on('error', () => {}); // its outages are the commands connection's: reported there
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(options.channel).then(
        () => options.onSubscribed(),
        () => {}, // the connection dropped again: the next 'ready' subscribes
      );
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === options.channel) options.onMessage(message);
    });
  }

  /** Connected, and no command timed out lately: worth asking. */
  healthy(): boolean {
    return this.up === true && Date.now() >= this.pausedUntil;
  }

  get status(): 'ok' | 'down' {
    return this.up === true ? 'ok' : 'down';
  }

  /** Runs one of l2Scripts.ts (EVALSHA, falling back to EVAL after a Redis restart). */
  async script(name: ScriptName, keys: readonly string[], args: readonly (string | number | Uint8Array)[]): Promise<unknown> {
    const command = (this.commands as unknown as Record<ScriptName, (...a: unknown[]) => Promise<unknown>>)[name];
    return this.watch(command.call(this.commands, ...keys, ...args));
  }

  /** Awaits a command, pausing L2 when it timed out (the connection may be hung, not closed). */
  async watch<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (error) {
      if (/timed out/i.test((error as Error).message ?? '')) this.pausedUntil = Date.now() + PAUSE_AFTER_TIMEOUT_MS;
      throw error;
    }
  }

  async publish(message: string): Promise<void> {
    await this.watch(this.commands.publish(this.options.channel, message));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  private setUp(up: boolean, error?: unknown): void {
    if (this.closed || up === this.up) return;
    this.up = up;
    if (up) this.pausedUntil = 0;
    this.options.onStatus(up, error);
  }
}
