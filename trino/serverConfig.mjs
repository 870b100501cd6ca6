/**
 * The files of a single-node development Trino: one JVM that is coordinator and worker,
 * with the `tpch` (generated TPC-H data), `memory` and `postgresql` (the test server)
 * catalogs. Written into <runDir>/etc on every start, so edits here take effect at once.
 */
import { join } from 'node:path';

/** Postgres the `postgresql` catalog reads: the machine's test server unless overridden. */
const POSTGRES_JDBC = process.env.TRINO_POSTGRES_JDBC_URL ?? 'jdbc:postgresql://127.0.0.1:5432/test';
const POSTGRES_USER = process.env.TRINO_POSTGRES_USER ?? 'postgres';
const POSTGRES_PASSWORD = process.env.TRINO_POSTGRES_PASSWORD ?? '';

/**
 * JVM flags Trino 476 documents for its jvm.config (it needs Java 24+), with a 2 GB heap:
 * enough for tpch.sf1 aggregates on a small machine.
 */
export function jvmConfig({ heap = '2G' } = {}) {
  return [
    '-server',
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:G1HeapRegionSize=32M',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:ReservedCodeCacheSize=256M',
    '-XX:PerMethodRecompilationCutoff=10000',
    '-XX:PerBytecodeRecompilationCutoff=10000',
    '-XX:+UnlockDiagnosticVMOptions',
    '-XX:G1NumCollectionsKeepPinned=10000000',
    '-XX:+EnableDynamicAgentLoading',
    '-Djdk.attach.allowAttachSelf=true',
    '-Djdk.nio.maxCachedBufferSize=2000000',
    '-Dfile.encoding=UTF-8',
  ];
}

/**
 * config.properties, node settings included (this JVM is started without Trino's launcher,
 * which would pass them as system properties; its data dir is the cwd, runDir).
 */
export function configProperties({ port, runDir, installDir }) {
  return lines({
    coordinator: 'true',
    'node-scheduler.include-coordinator': 'true',
    'http-server.http.port': port,
    'discovery.uri': `http://127.0.0.1:${port}`,
    'node.environment': 'tributary',
    'node.id': `tributary-${port}`,
    'log.path': join(runDir, 'server.log'),
    'plugin.dir': join(installDir, 'plugin'),
    'catalog.config-dir': join(runDir, 'etc', 'catalog'),
    'query.max-memory': '1GB',
    'query.max-memory-per-node': '1GB',
  });
}

/** Catalog files by name (<name>.properties). */
export function catalogs() {
  return {
    tpch: lines({ 'connector.name': 'tpch' }),
    memory: lines({ 'connector.name': 'memory' }),
    postgresql: lines({
      'connector.name': 'postgresql',
      'connection-url': POSTGRES_JDBC,
      'connection-user': POSTGRES_USER,
      'connection-password': POSTGRES_PASSWORD,
    }),
  };
}

export function logProperties() {
  return lines({ 'io.trino': 'INFO', 'io.airlift': 'WARN' });
}

function lines(properties) {
  return `${Object.entries(properties).map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}
