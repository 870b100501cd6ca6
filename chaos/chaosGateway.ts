/**
 * The gateway under chaos, in a process of its own so that the runner sees it exit if it
 * ever does. argv[2] is the config file. Prints `READY <url>` when serving; answers the
 * runner's `heap` messages with the heap used after a full GC (run with --expose-gc).
 */
import { loadConfigFile } from '../schema/index.ts';
import { createGateway, startServer } from '../server/index.ts';

const config = await loadConfigFile(process.argv[2]!);
const gateway = await createGateway(config);
const server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${server.url}\n`);

process.on('message', (message: { type?: string }) => {
  if (message?.type !== 'heap') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ type: 'heap', heapUsed: process.memoryUsage().heapUsed });
});
process.once('SIGTERM', () => {
  void server
    .close()
    .then(() => gateway.close())
    .finally(() => process.exit(0));
});
