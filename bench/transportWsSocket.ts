import WebSocket from 'ws';

const NEXT_HEAD = '{"id":"';
const NEXT_MIDDLE = '","type":"next","payload":';

/** What one subscription on a TransportWsSocket is told. */
export interface OperationSink {
  /** A `next` frame's payload (an ExecutionResult), as the JSON text the gateway sent. */
  next(payloadJson: string): void;
  error(errors: unknown): void;
}

/**
 * A bench client for the graphql-transport-ws protocol over `ws`, built to cost the
 * subscriber process as little as possible so the fan-out figures measure the gateway:
 * connection_init / connection_ack, `subscribe` with an id per operation, and each `next`,
 * `error` or `complete` frame dispatched to its operation through a Map. (The graphql-ws
 * client hands every frame to every operation's listener on the socket, which with 100
 * operations per socket makes the subscriber process, not the gateway, the bottleneck.)
 * No reconnects, no lazy mode; a socket that closes reports an error to its open operations.
 */
export class TransportWsSocket {
  private readonly operations = new Map<string, OperationSink>();
  private nextId = 0;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('close', (code, reason) => {
      for (const op of this.operations.values()) op.error(`socket closed: ${code} ${String(reason)}`);
      this.operations.clear();
    });
  }

  /** Opens a socket to `url` (http(s) or ws(s)) and waits for connection_ack, up to `timeoutMs`. */
  static open(url: string, timeoutMs = 10_000): Promise<TransportWsSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { skipUTF8Validation: true });
      const timer = setTimeout(() => fail(new Error(`no connection_ack within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.terminate();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('close', (code) => fail(new Error(`socket closed before connection_ack: ${code}`)));
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      socket.once('message', (data) => {
        const message = JSON.parse(String(data)) as { type?: string };
        if (message.type !== 'connection_ack') return fail(new Error(`expected connection_ack, got ${String(data).slice(0, 200)}`));
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => {}); // a failed socket also closes: the close listener reports it
        resolve(new TransportWsSocket(socket));
      });
    });
  }

  subscribe(query: string, sink: OperationSink): void {
    const id = String(++this.nextId);
    this.operations.set(id, sink);
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
  }

  /** Completes every operation and closes the socket; resolves once it is closed (or after 5 s). */
  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.socket.terminate(), resolve()), 5_000);
      this.socket.once('close', () => (clearTimeout(timer), resolve()));
      this.operations.clear();
      this.socket.close(1000, 'done');
    });
  }

  private receive(text: string): void {
    // `next` frames ({"id":"<id>","type":"next","payload":...}, graphql-ws's key order; our
    // ids need no escaping) are cut, not parsed: the operation parses its payload once.
    if (text.startsWith(NEXT_HEAD)) {
      const idEnd = text.indexOf('"', NEXT_HEAD.length);
      if (text.startsWith(NEXT_MIDDLE, idEnd)) {
        this.operations.get(text.slice(NEXT_HEAD.length, idEnd))?.next(text.slice(idEnd + NEXT_MIDDLE.length, -1));
        return;
      }
    }
    const message = JSON.parse(text) as { id?: string; type: string; payload?: unknown };
    if (message.type === 'ping') return this.socket.send('{"type":"pong"}');
    const op = message.id === undefined ? undefined : this.operations.get(message.id);
    if (!op) return;
    if (message.type === 'next') op.next(JSON.stringify(message.payload));
    else if (message.type === 'error') (this.operations.delete(message.id!), op.error(message.payload));
    else if (message.type === 'complete') this.operations.delete(message.id!);
  }
}
