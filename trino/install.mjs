/**
 * ensureTrinoServer: make sure .trino/trino-server-<version> holds an unpacked Trino server,
 * fetching `io.trino:trino-server:<version>:tar.gz` (~820 MB) with Maven from Maven Central
 * into Maven's own cache (~/.m2) when missing, and unpacking it and keeping the parts the
 * development config uses (bin, lib and the tpch, memory and postgresql connectors).
 *
 * Invariant: the install dir exists only when complete. It is unpacked into a private
 * staging dir, the marker file is written last, and the dir is renamed into place, so two
 * processes fetching at once (parallel test workers) never see a half-unpacked server.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: .trino/ is resolved from here, not from the caller's cwd. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TRINO_VERSION = '476';
export const TRINO_HOME = join(REPO_ROOT, '.trino');
export const DEFAULT_INSTALL_DIR = join(TRINO_HOME, `trino-server-${TRINO_VERSION}`);
/**
 * The connectors the development config has catalogs for, and geospatial, whose Geometry
 * type the postgresql connector needs; the other ~50 plugins are removed after unpacking.
 */
export const PLUGINS = ['tpch', 'memory', 'postgresql', 'geospatial'];
const MARKER = '.tributary-trino';
const ARTIFACT = `io.trino:trino-server:${TRINO_VERSION}:tar.gz`;

function expectedMarker() {
  return `trino-server ${TRINO_VERSION} plugins ${PLUGINS.join(',')}\n`;
}

/** True when installDir is completely unpacked for the pinned version. */
export function serverIsInstalled(installDir = DEFAULT_INSTALL_DIR) {
  const marker = join(installDir, MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8') === expectedMarker();
}

/**
 * Returns installDir once it holds the server. `log` receives progress lines (a download of
 * 820 MB takes 10 s to minutes, so it ticks every 5 s).
 * @param {{ installDir?: string, log?: (line: string) => void }} [options]
 */
export async function ensureTrinoServer({ installDir = DEFAULT_INSTALL_DIR, log = () => {} } = {}) {
  if (serverIsInstalled(installDir)) return installDir;
  const started = Date.now();
  await mkdir(dirname(installDir), { recursive: true });
  const staging = `${installDir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    log(`Fetching ${ARTIFACT} (~820 MB) with Maven (cached in ~/.m2 after the first time)...`);
    await withTicker(log, 'downloading', () => run('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${staging}`], 'Maven ("mvn" on PATH is required to fetch Trino)'));
    const tarball = join(staging, `trino-server-${TRINO_VERSION}.tar.gz`);
    const bytes = (await stat(tarball)).size;
    log(`Unpacking ${(bytes / 1e6).toFixed(0)} MB (bin, lib, plugins ${PLUGINS.join(', ')})...`);
    const top = `trino-server-${TRINO_VERSION}`;
    // Whole, then pruned: plugins share jars as hard links, so a partial extract breaks links.
    await withTicker(log, 'unpacking', () => run('tar', ['-xzf', tarball, '-C', staging, `${top}/bin`, `${top}/lib`, `${top}/plugin`], 'tar'));
    await rm(tarball, { force: true });
    const unpacked = join(staging, top);
    for (const plugin of await readdir(join(unpacked, 'plugin'))) {
      if (!PLUGINS.includes(plugin)) await rm(join(unpacked, 'plugin', plugin), { recursive: true, force: true });
    }
    if (!(await readdir(join(unpacked, 'lib'))).some((name) => name === `io.trino_trino-main-${TRINO_VERSION}.jar`)) {
      throw new Error(`unpacked ${tarball} but ${unpacked}/lib has no trino-main jar`);
    }
    await writeFile(join(unpacked, MARKER), expectedMarker());
    if (existsSync(installDir)) {
      const old = `${installDir}.old-${process.pid}-${Date.now()}`;
      await rename(installDir, old).catch(() => {});
      await rm(old, { recursive: true, force: true });
    }
    await rename(unpacked, installDir).catch(async (error) => {
      if (!serverIsInstalled(installDir)) throw error; // else another process won the race
    });
    log(`Trino ${TRINO_VERSION} is in ${installDir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return installDir;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function withTicker(log, what, work) {
  const started = Date.now();
  const ticker = setInterval(() => log(`  ...${what} (${Math.round((Date.now() - started) / 1000)} s)`), 5_000);
  try {
    return await work();
  } finally {
    clearInterval(ticker);
  }
}

/** Runs a command to completion; on failure the error carries the last 40 lines of its output. */
function run(command, args, what) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        tail.push(...chunk.split('\n'));
        tail.splice(0, Math.max(0, tail.length - 40));
      });
    }
    child.on('error', (error) => reject(new Error(`could not run ${what}: ${error.message}`)));
    child.on('exit', (code) => {
      if (code === 0) return resolvePromise();
      reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}
