#!/usr/bin/env node
/**
 * Runs a real single-node Trino for Tributary on this machine: no Docker, no Python.
 * Needs Maven (`mvn`) on PATH for the first run, which fetches io.trino:trino-server:476
 * (~820 MB) from Maven Central into ~/.m2 and unpacks it into .trino/ (git-ignored), and
 * Java 24+ (the Temurin 25 in /usr/lib/jvm on these machines, or TRINO_JAVA_HOME).
 *
 *   npm run trino                                 # = node trino/trino.mjs start
 *   node trino/trino.mjs start [--port 8080] [--detach]
 *   node trino/trino.mjs stop  [--port 8080]      # stops a --detach server (pid file)
 *   node trino/trino.mjs fetch                    # only download and unpack (CI warm-up)
 *
 * `start` writes a single-node config into .trino/run-<port>/etc (catalogs tpch, memory and
 * postgresql -> jdbc:postgresql://127.0.0.1:5432/test as postgres), starts the JVM (-Xmx2G;
 * output in .trino/run-<port>/server.log), waits until a query over tpch answers over HTTP and
 * prints `Trino ready at http://127.0.0.1:8080`. Ctrl-C or SIGTERM stops it.
 */
import { parseArgs } from 'node:util';
import { ensureTrinoServer } from './install.mjs';
import { DEFAULT_PORT, defaultRunDir, startTrino, stopTrinoInDir } from './server.mjs';
import { parsePort, runInForeground } from '../services/runInForeground.mjs';

const USAGE = 'usage: node trino/trino.mjs start [--port 8080] [--detach] | stop [--port 8080] | fetch';
const log = (line) => console.log(line);

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      detach: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command = 'start', ...extra] = positionals;
  if (values.help) return log(USAGE);
  if (extra.length > 0) throw new Error(`unexpected arguments ${JSON.stringify(extra)}\n${USAGE}`);
  const port = parsePort(values.port);
  switch (command) {
    case 'start':
      return start(port, values.detach);
    case 'stop':
      if (!(await stopTrinoInDir(defaultRunDir(port), { log }))) log(`No Trino started with --detach is running on port ${port}`);
      return;
    case 'fetch':
      await ensureTrinoServer({ log });
      return log('Trino server is unpacked and up to date');
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`);
  }
}

async function start(port, detach) {
  const trino = await startTrino({ port, detached: detach, log });
  log(`Trino ready at ${trino.url}`);
  if (detach) return log(`Running in the background (pid ${trino.pid}); stop it with: node trino/trino.mjs stop --port ${port}`);
  await runInForeground(trino, { name: 'Trino', log });
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`trino: ${error.message}`);
  process.exit(1);
});
