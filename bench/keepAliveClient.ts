import { Agent, request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * A minimal HTTP/1.1 client over node:http with a keep-alive Agent: far cheaper per request
 * than fetch (undici's WHATWG layers), so a load test measures the server rather than the
 * client. Every benchmark side uses the same client.
 */
export interface KeepAliveClient {
  /** POSTs a GraphQL JSON body to `path`; resolves with the status and the whole body. */
  post(path: string, body: Buffer): Promise<HttpAnswer>;
  get(path: string): Promise<HttpAnswer>;
  /** Closes the pooled sockets. */
  close(): void;
}

/**
 * `origin` is `http://host:port`; `sockets` bounds the connections kept open (the concurrency);
 * `headers` go on every request (e.g. `authorization`).
 */
export function createKeepAliveClient(origin: string, sockets: number, headers: Readonly<Record<string, string>> = {}): KeepAliveClient {
  const { hostname, port } = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const send = (method: 'GET' | 'POST', path: string, body: Buffer | null): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const sent: Record<string, string | number> = { ...headers, accept: 'application/graphql-response+json, application/json' };
      if (body) {
        sent['content-type'] = 'application/json';
        sent['content-length'] = body.length;
      }
      const req = request({ agent, hostname, port, path, method, headers: sent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  return {
    post: (path, body) => send('POST', path, body),
    get: (path) => send('GET', path, null),
    close: () => agent.destroy(),
  };
}

/** The JSON body of a GraphQL request for `document`, encoded once. */
export function graphqlBody(document: string, variables?: Readonly<Record<string, unknown>>): Buffer {
  return Buffer.from(JSON.stringify(variables ? { query: document, variables } : { query: document }));
}
