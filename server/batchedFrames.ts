import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { spliceFrame } from './sharedExecution/index.ts';

/**
 * Wraps a graphql-ws server socket's send: frames carrying a shared subscription result get
 * its JSON made once (spliceFrame), and frames sent in one burst (a window version going to
 * every subscription on this socket) leave in one write instead of one system call each:
 * the TCP socket is corked at the first frame and uncorked once the current run of
 * callbacks and promise jobs is over (process.nextTick), or after FLUSH_FRAMES frames.
 */
/** Frames held in one corked write at most. */
const FLUSH_FRAMES = 32;

export function batchFrames(socket: WebSocket): void {
  const send = socket.send.bind(socket) as (data: unknown, cb?: (error?: Error) => void) => void;
  // ws keeps the TCP socket as `_socket` (used here only to cork it); without one, frames go out one by one.
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  let corked = false;
  let held = 0;
  const uncork = () => {
    if (!corked) return;
    corked = false;
    tcp!.uncork();
  };
  socket.send = ((data: unknown, cb?: (error?: Error) => void) => {
    if (tcp && !corked && !tcp.destroyed) {
      corked = true;
      held = 0;
      tcp.cork();
      process.nextTick(uncork);
    }
    send(typeof data === 'string' ? spliceFrame(data) : data, cb);
    // A long burst (thousands of subscriptions) leaves in writes of FLUSH_FRAMES frames, so
    // the client starts reading while the rest of the burst is still being framed.
    if (corked && ++held >= FLUSH_FRAMES) uncork();
  }) as typeof socket.send;
}
