import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { spliceFrame } from './sharedExecution/index.ts';

/**
 * Wraps a graphql-ws server socket's send: frames carrying a shared subscription result get
 * its JSON made once (spliceFrame), and frames sent in one burst (a window version going to
 * every subscription on this socket) leave in one write instead of one system call each:
 * the TCP socket is corked at the first frame and uncorked once the current run of
 * callbacks and promise jobs is over (process.nextTick).
 */
export function batchFrames(socket: WebSocket): void {
  const send = socket.send.bind(socket) as (data: unknown, cb?: (error?: Error) => void) => void;
  // ws keeps the TCP socket as `_socket` (used here only to cork it); without one, frames go out one by one.
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp!.uncork();
  };
  socket.send = ((data: unknown, cb?: (error?: Error) => void) => {
    if (tcp && !corked && !tcp.destroyed) {
      corked = true;
      tcp.cork();
      process.nextTick(uncork);
    }
    send(typeof data === 'string' ? spliceFrame(data) : data, cb);
  }) as typeof socket.send;
}
