import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigErrors } from '../errors/index.ts';
import { loadConfigFile, type Config } from '../schema/index.ts';
import {
  configForWorker,
  createGateway,
  embeddedSources,
  explainQuery,
  gatewaySchemas,
  joinCluster,
  logger,
  markWorker,
  parseWorkers,
  printExplained,
  reloadStreamMappings,
  runPrimary,
  startServer,
  workersRefusal,
  type ClusterWorker,
} from '../server/index.ts';
import { DataDirLocked, dataDirHolder, lockDataDir, lockFileOf } from '../sources/index.ts';
import { checkRemote, explainRemote } from './remote.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const program = new Command()
  .name('tributary')
  .description('GraphQL gateway for analytics: pushdown aggregation over Postgres, PGlite and files.')
  .showHelpAfterError();

program
  .command('serve')
  .description('serve the GraphQL API of a config')
  .requiredOption('-c, --config <file>', 'tributary.yaml to serve')
  .option('-p, --port <n>', 'port (else $PORT, else server.port, else 4000)', parsePort)
  .option('-w, --workers <n>', 'worker processes serving the one port (node:cluster), each with its own gateway: a whole number, or auto for one per CPU core', workersOption, 1)
  .action(async (opts: { config: string; port?: number; workers: number }) => {
    const config = await loadOrExit(opts.config);
    await (opts.workers === 1 ? serve(config, opts.port, undefined, undefined, { configFile: opts.config }) : serveWorkers(config, opts.port, opts.workers, opts.config));
  });

program
  .command('check')
  .description('validate a config and check every dataset against its source; with --url, ask a running server instead of opening the sources')
  .option('-c, --config <file>', 'tributary.yaml to check (with --url: validated here, its datasets looked for on the server)')
  .option('--url <url>', 'a running server\'s GraphQL URL (e.g. http://localhost:4000/graphql): its /readyz and _datasets are checked; use it beside a running demo, whose embedded database no second process may open')
  .option('--token <jwt>', 'with --url: a bearer token, when the server has auth on')
  .action(async (opts: { config?: string; url?: string; token?: string }) => {
    if (!opts.config && !opts.url) usageError('check needs --config FILE, --url URL of a running server, or both');
    const config = opts.config ? await loadOrExit(opts.config) : null;
    if (opts.url) return void (process.exitCode = await checkRemote(opts.url, opts.token, config));
    exitIfDataDirsHeld(config!, 'check');
    const gateway = await createGateway(config!).catch(exitOnConfigError);
    gatewaySchemas(gateway); // every role's schema builds
    for (const source of gateway.sources.values()) await source.ping();
    for (const d of Object.values(config!.datasets)) {
      console.log(`ok  ${d.name}: ${Object.keys(d.dimensions).length} dimensions, ${Object.keys(d.measures).length} measures on ${d.source}`);
    }
    await gateway.close();
  });

program
  .command('explain')
  .description('print the plans, plan keys and SQL a query would run, without running it')
  .option('-c, --config <file>', 'tributary.yaml (opens its sources: not beside a running server of an embedded database; use --url)')
  .option('--url <url>', "ask a running server (its GraphQL URL, e.g. http://localhost:4000/graphql) through its POST /explain: its cache, its sources, your token's role")
  .option('--token <jwt>', 'with --url: a bearer token; the role and row policy are the token\'s')
  .option('--variables <json>', 'variables as JSON', '{}')
  .option('--role <name>', "with --config: explain as this role, its schema and its row policies (roles: in the config)")
  .option('--claims <json>', "with --role: the token claims the role's row policies read, as JSON", '{}')
  .argument('<query>', "a GraphQL document, e.g. 'query { sales { rows { region revenue } } }'")
  .action(async (query: string, opts: { config?: string; url?: string; token?: string; variables: string; role?: string; claims: string }) => {
    const variables = parseJsonOption('--variables', opts.variables);
    if (opts.url) {
      if (opts.role !== undefined) usageError('--role goes with --config; with --url the role is the one of --token');
      return void (process.exitCode = await explainRemote(opts.url, opts.token, query, variables));
    }
    if (!opts.config) usageError('explain needs --config FILE, or --url URL of a running server');
    const config = await loadOrExit(opts.config);
    const role = opts.role === undefined ? undefined : config.roles[opts.role];
    if (opts.role !== undefined && !role) {
      console.error(`--role: unknown role "${opts.role}"; the config defines ${Object.keys(config.roles).join(', ') || 'no roles'}`);
      process.exit(2);
    }
    exitIfDataDirsHeld(config, 'explain');
    const gateway = await createGateway(config, { check: false }).catch(exitOnConfigError);
    const access = role && { role, claims: parseJsonOption('--claims', opts.claims) };
    const { plans, errors } = await explainQuery(gateway, query, variables, access);
    console.log(plans.map(printExplained).join('\n\n'));
    for (const e of errors) console.error(`error [${e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'}]: ${e.message}`);
    await gateway.close();
    process.exitCode = errors.length > 0 ? 1 : 0;
  });

program
  .command('demo')
  .description('seed the embedded demo database on first start (kept under .data/) and serve it')
  .option('-p, --port <n>', 'port (else $PORT, else 4000)', parsePort)
  .option('--rows <n>', 'sales rows to generate on first start', parsePositive, 1_000_000)
  .option('--auth', 'turn access control on (demo/auth.yaml) and print tokens for an admin and an analyst')
  .action(async (opts: { port?: number; rows: number; auth?: boolean }) => {
    const { openDemoDatabase } = await import('../demo/openDemoDatabase.ts');
    const dataDir = path.join(ROOT, '.data', 'pg');
    // One process per embedded database, held from seeding to exit (the seeding connection and the source open under it).
    try {
      lockDataDir(dataDir);
    } catch (error) {
      if (!(error instanceof DataDirLocked)) throw error;
      console.error(`demo: ${error.message}`);
      process.exit(2);
    }
    const { db, seeded, ms } = await openDemoDatabase(dataDir, { rows: opts.rows, log: (line) => logger.info(line) });
    if (seeded) logger.info(`demo data ready in ${(ms / 1000).toFixed(1)} s`);
    await db.close();
    const secret = process.env.DEMO_JWT_SECRET || randomBytes(32).toString('base64url');
    const { loadDemoConfig } = await import('../demo/loadDemoConfig.ts');
    const config = await loadDemoConfig(dataDir, { authSecret: opts.auth ? secret : undefined }).catch(exitOnConfigError);
    if (opts.auth) {
      const { demoTokens } = await import('../demo/demoTokens.ts');
      const tokens = await demoTokens(secret);
      console.log(`Access control is on. Send a header Authorization: Bearer <token> (GraphiQL: the Headers tab).\n  admin (everything):       ${tokens.admin}\n  analyst (Europe only):    ${tokens.analyst}`);
    }
    const orders = config.streams.orders;
    if (orders && orders.kafka.brokers.length > 0) {
      const { produceDemoOrders } = await import('../demo/produceDemoOrders.ts');
      await produceDemoOrders(orders.kafka.brokers.join(','), orders.kafka.topic, (line) => logger.info(line));
    }
    await serve(config, opts.port, await readFile(path.join(ROOT, 'demo', 'example.graphql'), 'utf8'), undefined, { dashboard: true });
  });

/** Serves one gateway in this process: the whole server, or one worker of `serve --workers N` (runPrimary logs and prints for those). */
async function serve(
  config: Config,
  portOption: number | undefined,
  exampleQuery?: string,
  worker?: ClusterWorker,
  extra: {
    readonly dashboard?: boolean;
    readonly configFile?: string;
    /** What the reloaded file becomes in this process (a worker's own consumer groups); the file as it is by default. */
    readonly reloadAs?: (loaded: Config) => Config;
  } = {},
): Promise<void> {
  exitIfDataDirsHeld(config, 'serve');
  const gateway = await createGateway(config).catch(exitOnConfigError);
  const port = portOf(portOption, config);
  const server = await startServer(gateway, { port, exampleQuery, dashboard: extra.dashboard }).catch((error: unknown) => exitOnListenError(error, port));
  if (worker) markWorker(server, gateway, worker);
  else {
    logger.info({ datasets: Object.keys(config.datasets) }, `Tributary is serving GraphQL and GraphiQL at ${server.url}`);
    console.log(`GraphiQL: ${server.url}`);
    if (extra.dashboard) console.log(`Dashboard: ${server.url.replace(/\/graphql$/, '/dashboard')}`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    // A worker hears SIGINT from the terminal and SIGTERM from its primary: one shutdown.
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    await server.close();
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  if (extra.configFile) {
    const file = extra.configFile;
    // SIGHUP re-reads the file and applies the streams' schema mappings; open windows stay.
    process.on('SIGHUP', () => {
      reloadStreamMappings(file, config, gateway.streams, process.env, extra.reloadAs).then(
        ({ invalid, streams }) => {
          if (invalid) return logger.warn(`SIGHUP: ${file} does not validate; nothing reloaded:\n${invalid}`);
          for (const s of streams) {
            if (s.applied) logger.info({ stream: s.stream }, 'SIGHUP: stream schema mapping reloaded; open windows kept');
            else logger.warn({ stream: s.stream }, `SIGHUP: ${s.reason}`);
          }
        },
        (error: unknown) => logger.warn({ err: error }, `SIGHUP: reloading ${file} failed`),
      );
    });
  }
}

/**
 * `serve --workers N`, N > 1 (server/cluster/): this process is either the primary, which
 * forks and watches N workers and exits when they are stopped, or one of those workers,
 * which serves its own gateway on the shared port.
 */
async function serveWorkers(config: Config, portOption: number | undefined, workers: number, configFile: string): Promise<void> {
  const refusal = workersRefusal(config, workers);
  if (refusal) usageError(refusal);
  const worker = joinCluster();
  // A worker reloads on the SIGHUP its primary passes on, with its own consumer groups.
  if (worker) return serve(configForWorker(config, worker), worker.port, undefined, worker, { configFile, reloadAs: (loaded) => configForWorker(loaded, worker) });
  const inMemory = embeddedSources(config).map((s) => s.name);
  if (inMemory.length > 0) logger.info(`embedded sources ${inMemory.join(', ')} are in memory: each of the ${workers} workers opens its own copy`);
  const port = portOf(portOption, config);
  process.exitCode = await runPrimary({ workers, port, onServing: (url) => console.log(`GraphiQL: ${url}`) });
}

async function loadOrExit(file: string, extraEnv: Record<string, string> = {}): Promise<Config> {
  return loadConfigFile(file, { env: { ...process.env, ...extraEnv } }).catch(exitOnConfigError);
}

function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigErrors) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

/** A port another process holds (or one this user may not bind) is a usage error, exit 2; under --workers the primary then stops too. */
function exitOnListenError(error: unknown, port: number): never {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    console.error(`serve: port ${port} ${code === 'EADDRINUSE' ? 'is in use by another process' : 'may not be used by this user'}; choose another with --port or PORT`);
    process.exit(2);
  }
  return exitOnConfigError(error);
}

/**
 * A pglite data directory held by another live process (sources/dataDirLock.ts) ends the
 * command here with one clear message, before any source is opened.
 */
function exitIfDataDirsHeld(config: Config, command: string): void {
  for (const source of Object.values(config.sources)) {
    const holder = source.kind === 'pglite' && source.dataDir ? dataDirHolder(source.dataDir) : null;
    if (!holder || source.kind !== 'pglite' || !source.dataDir) continue;
    // The message names the holder's PID and what to do instead.
    console.error(`${command}: source ${source.name}: ${new DataDirLocked(path.resolve(source.dataDir), lockFileOf(source.dataDir), holder).message}`);
    process.exit(2);
  }
}

function usageError(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

function parseJsonOption(option: string, text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  return usageError(`${option}: expected a JSON object, got ${text}`);
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port number 0-65535, got "${value}"`);
  return n;
}

function portOf(option: number | undefined, config: Config): number {
  return option ?? (process.env.PORT ? parsePort(process.env.PORT) : config.server.port);
}

/** --workers: a whole number above 0, or `auto` (one per CPU core); anything else is a usage error (exit 2). */
function workersOption(value: string): number {
  return parseWorkers(value) ?? usageError(`option '-w, --workers <n>': expected a whole number above 0 or "auto", got "${value}"`);
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a whole number above 0, got "${value}"`);
  return n;
}

await program.parseAsync(process.argv);
