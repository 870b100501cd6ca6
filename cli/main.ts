import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigErrors } from '../errors/index.ts';
import { loadConfigFile, type Config } from '../schema/index.ts';
import { createGateway, explainQuery, logger, printExplained, startServer } from '../server/index.ts';

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
  .action(async (opts: { config: string; port?: number }) => {
    await serve(await loadOrExit(opts.config), opts.port);
  });

program
  .command('check')
  .description('validate a config and check every dataset against its source')
  .requiredOption('-c, --config <file>', 'tributary.yaml to check')
  .action(async (opts: { config: string }) => {
    const config = await loadOrExit(opts.config);
    const gateway = await createGateway(config).catch(exitOnConfigError);
    for (const source of gateway.sources.values()) await source.ping();
    for (const d of Object.values(config.datasets)) {
      console.log(`ok  ${d.name}: ${Object.keys(d.dimensions).length} dimensions, ${Object.keys(d.measures).length} measures on ${d.source}`);
    }
    await gateway.close();
  });

program
  .command('explain')
  .description('print the plans, plan keys and SQL a query would run, without running it')
  .requiredOption('-c, --config <file>', 'tributary.yaml')
  .option('--variables <json>', 'variables as JSON', '{}')
  .option('--role <name>', "explain as this role: its schema and its row policies (roles: in the config)")
  .option('--claims <json>', "the token claims the role's row policies read, as JSON", '{}')
  .argument('<query>', "a GraphQL document, e.g. 'query { sales { rows { region revenue } } }'")
  .action(async (query: string, opts: { config: string; variables: string; role?: string; claims: string }) => {
    const config = await loadOrExit(opts.config);
    const role = opts.role === undefined ? undefined : config.roles[opts.role];
    if (opts.role !== undefined && !role) {
      console.error(`--role: unknown role "${opts.role}"; the config defines ${Object.keys(config.roles).join(', ') || 'no roles'}`);
      process.exit(2);
    }
    const gateway = await createGateway(config, { check: false }).catch(exitOnConfigError);
    const access = role && { role, claims: JSON.parse(opts.claims) as Record<string, unknown> };
    const { plans, errors } = await explainQuery(gateway, query, JSON.parse(opts.variables), access);
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
    await serve(config, opts.port, await readFile(path.join(ROOT, 'demo', 'example.graphql'), 'utf8'));
  });

async function serve(config: Config, portOption: number | undefined, exampleQuery?: string): Promise<void> {
  const gateway = await createGateway(config).catch(exitOnConfigError);
  const port = portOption ?? (process.env.PORT ? parsePort(process.env.PORT) : config.server.port);
  const server = await startServer(gateway, { port, exampleQuery }).catch(exitOnConfigError);
  logger.info({ datasets: Object.keys(config.datasets) }, `Tributary is serving GraphQL and GraphiQL at ${server.url}`);
  console.log(`GraphiQL: ${server.url}`);
  const stop = async (signal: string) => {
    logger.info(`${signal}: shutting down`);
    await server.close();
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
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

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port number 0-65535, got "${value}"`);
  return n;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a whole number above 0, got "${value}"`);
  return n;
}

await program.parseAsync(process.argv);
