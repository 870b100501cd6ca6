/**
 * Issue 9, item 5: one PGlite data directory, one process. Before the lock, `tributary check`
 * or `explain` beside a running demo opened the same directory as the server, which crashed
 * the embedded Postgres (RuntimeError: Aborted()) and could corrupt it. Now a second process
 * gets a clear error naming the holder's PID and what to do; a lock whose process is gone is
 * taken over; and check and explain run beside the server through --url.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoDatabase } from '../demo/openDemoDatabase.ts';
import { parseConfig } from '../schema/index.ts';
import { createSource, DataDirLocked, lockDataDir, lockFileOf } from '../sources/index.ts';
import { readMetric } from './support/readMetric.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const CONFIG = (dataDir: string) => `
sources:
  embedded: { kind: pglite, dataDir: "${dataDir}" }
  files: { kind: duckdb }
datasets:
  sales:
    source: embedded
    sql: "select 'North' as region, 4.5 as amount"
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
  targets:
    source: files
    sql: "select 'North' as region, 10.0 as target"
    dimensions: { region: { type: string } }
    measures: { target: { sum: target } }
fusions:
  salesVsTargets:
    join: full
    keys: { region: string }
    members: { sales: { region: region }, targets: { region: region } }
`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process (bin/tributary.js), with a deadline. */
function cli(args: readonly string[], deadlineMs = 45_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tributary.js'), ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tributary ${args.join(' ')}: no exit within ${deadlineMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, deadlineMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A process that stays alive until killed: a foreign holder with a real, running PID. */
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  child.on('error', () => {}); // a spawn failure shows as a missing pid below
  return child;
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await done;
}

const writeLock = (dataDir: string, pid: number) => writeFileSync(lockFileOf(dataDir), JSON.stringify({ pid, since: '2026-01-01T00:00:00.000Z', command: 'tributary demo' }));
const lockPid = (dataDir: string) => (JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8')) as { pid: number }).pid;

describe('one PGlite data directory, one process', () => {
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-embedded-lock-'));
  });
  afterAll(async () => {
    await Promise.all(children.map(exited));
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a directory another live process holds, naming its PID and what to do, without opening it", async () => {
    const dataDir = path.join(dir, 'held');
    const holder = sleeper();
    children.push(holder);
    expect(holder.pid).toBeGreaterThan(0);
    writeLock(dataDir, holder.pid!);

    const source = createSource(parseConfig(CONFIG(dataDir), { env: {} }).sources.embedded!);
    const failure = await source.ping().then(() => null, (error: unknown) => error as { message: string; extensions?: { code?: string } });
    expect(failure?.extensions?.code).toBe('SOURCE_UNAVAILABLE');
    expect(failure?.message).toContain(`in use by process ${holder.pid} (tributary demo`);
    expect(failure?.message).toContain('--url http://localhost:4000/graphql');
    await source.close();
    // PGlite never created the directory's files, and the holder's lock is untouched.
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(false);
    expect(lockPid(dataDir)).toBe(holder.pid);

    const demo = await openDemoDatabase(dataDir, { rows: 10 }).then(() => null, (error: unknown) => error);
    expect(demo).toBeInstanceOf(DataDirLocked);
    expect((demo as DataDirLocked).holder.pid).toBe(holder.pid);
    expect(lockPid(dataDir)).toBe(holder.pid);
    await exited(holder);
  });

  it('takes over a stale lock whose process is gone, and removes its own lock on close', async () => {
    const dataDir = path.join(dir, 'stale');
    const gone = sleeper();
    await exited(gone);
    writeLock(dataDir, gone.pid!);

    const source = createSource(parseConfig(CONFIG(dataDir), { env: {} }).sources.embedded!);
    await source.ping();
    expect(lockPid(dataDir)).toBe(process.pid);
    await source.close();
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
  }, 30_000);

  it('counts the lock within one process: the last release removes it', () => {
    const dataDir = path.join(dir, 'counted');
    const first = lockDataDir(dataDir);
    const second = lockDataDir(dataDir);
    first();
    first(); // a release runs once
    expect(lockPid(dataDir)).toBe(process.pid);
    second();
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
  });

  describe('beside a running server', () => {
    let gw: TestGateway;
    let configFile: string;
    const dataDir = () => path.join(dir, 'served');

    beforeAll(async () => {
      configFile = path.join(dir, 'tributary.yaml');
      writeFileSync(configFile, CONFIG(dataDir()));
      gw = await startTestGateway(CONFIG(dataDir()));
      await waitFor('the server to hold the data directory', () => existsSync(lockFileOf(dataDir())), 10_000);
    });
    afterAll(async () => {
      await gw?.close();
    });

    it('`tributary check --config` in a second process exits 2 with the holder\'s PID and the --url advice', async () => {
      const run = await cli(['check', '--config', configFile]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`check: source embedded: the embedded database ${dataDir()} is in use by process ${process.pid}`);
      expect(run.stderr).toContain('tributary check --url');
      expect(lockPid(dataDir())).toBe(process.pid);
    }, 60_000);

    it('`tributary check --url` checks the running server instead', async () => {
      const run = await cli(['check', '--config', configFile, '--url', gw.server.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('ok  source embedded: ok');
      expect(run.stdout).toContain(`ok  sales: dataset served by ${gw.server.url}`);
      expect(run.stdout).toContain(`ok  salesVsTargets: fusion served by ${gw.server.url}`);
    }, 60_000);

    it('`tributary explain --url` prints the plans from the running server (a fusion\'s members too) and runs nothing', async () => {
      const before = await readMetric(gw, 'tributary_source_queries_total');
      const run = await cli(['explain', '--url', gw.server.url, '{ sales { rows { region revenue } } salesVsTargets { rows { region revenue target } } }']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('# sales rows');
      expect(run.stdout).toContain('# salesVsTargets member sales');
      expect(run.stdout).toContain('# salesVsTargets member targets');
      expect(run.stdout).toContain("select 'North' as region, 4.5 as amount");
      expect(await readMetric(gw, 'tributary_source_queries_total')).toBe(before);
      // The local explain without --url is refused like check.
      const local = await cli(['explain', '--config', configFile, '{ sales { rows { region } } }']);
      expect(local.code).toBe(2);
      expect(local.stderr).toContain(`in use by process ${process.pid}`);
    }, 90_000);

    it('POST /explain answers coded errors for bad documents', async () => {
      const explain = (body: unknown) => fetch(new URL('/explain', gw.server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const bad = await explain({ query: '{ sales { rows { nope } } }' });
      expect(bad.status).toBe(200);
      expect(await bad.json()).toMatchObject({ plans: [], errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
      const deep = await (await explain({ query: `{ sales(where: ${'{ NOT: '.repeat(3000)}{}${' }'.repeat(3000)}) { rows { region } } }` })).json();
      expect(deep).toMatchObject({ plans: [], errors: [{ extensions: { code: 'LIMIT_EXCEEDED', limit: 'maxNesting' } }] });
      expect((await fetch(new URL('/explain', gw.server.url))).status).toBe(405);
    });
  });
});
