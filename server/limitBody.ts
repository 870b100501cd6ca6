import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { limitExceeded } from '../errors/index.ts';

/**
 * server.limits.maxBodyBytes: reads a request body of at most `maxBytes`, then calls `serve`
 * with the body attached as `req.body`, which @whatwg-node/server (under Yoga) reads instead
 * of the already consumed stream. It is re-fed as a stream of the chunks read: given a Buffer
 * or a string, @whatwg-node/server takes Object.keys() of it, which costs ~100 ms per MB.
 * A body with a Content-Length within the limit is not read here at all (see below).
 * A larger body gets HTTP 413 with a GraphQL error
 * (LIMIT_EXCEEDED) as soon as it is known to be too large: from Content-Length before
 * reading anything, or once the streamed bytes (chunked bodies) pass the limit. At most
 * `maxBytes` are ever held; the rest is read and dropped until the connection closes.
 */
export function limitBody(req: IncomingMessage, res: ServerResponse, maxBytes: number, serve: () => void): void {
  // No body to read: GET and HEAD carry the operation in the URL, bounded by Node's header limit.
  if (req.method === 'GET' || req.method === 'HEAD' || req.headers['content-length'] === '0') return serve();
  const length = req.headers['content-length'];
  const declared = Number(length);
  if (declared > maxBytes) return refuse(req, res, maxBytes, `${declared} bytes`);
  // A declared length within the limit bounds the body already: Node's parser hands on
  // exactly that many bytes (anything after them is parsed as the next request), so Yoga
  // reads the stream itself. Only a chunked body, whose size is unknown, is counted here.
  if (length !== undefined && declared <= maxBytes) return serve();

  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxBytes) return void chunks.push(chunk);
    stop();
    chunks.length = 0;
    refuse(req, res, maxBytes, `more than ${maxBytes} bytes`);
  };
  const onEnd = () => {
    stop();
    (req as IncomingMessage & { body?: Readable }).body = Readable.from(chunks);
    serve();
  };
  // The client went away mid-body: there is no one to answer.
  const onError = () => {
    stop();
    res.destroy();
  };
  const stop = () => {
    req.off('data', onData).off('end', onEnd).off('error', onError);
  };
  req.on('data', onData).on('end', onEnd).on('error', onError);
}

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number, received: string): void {
  const error = limitExceeded(`maxBodyBytes: ${received}, the limit is ${maxBytes}`, { limit: 'maxBodyBytes', max: maxBytes });
  // The rest of the body is not worth reading: close the connection once the answer is out,
  // and drain (without keeping) what arrives until then, so the client sees the 413.
  res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ errors: [error.toJSON()] }));
  req.on('error', () => {}).resume();
}
