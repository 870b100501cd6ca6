import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './waitFor.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The real CLI (bin/tributary.js) running `serve` in a child process. */
export interface CliServer {
  readonly child: ChildProcess;
  /** The GraphQL URL the CLI printed (`GraphiQL: <url>`). */
  readonly url: string;
  /** Everything the CLI and its workers wrote to stderr so far (their logs). */
  stderr(): string;
  /** Resolves with the exit code (or signal) once the CLI has exited. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `tributary <args>` and waits (within `deadlineMs`, default 120 s) for it to print
 * its GraphiQL URL. LOG_LEVEL is info unless `env` says otherwise, so tests can read the
 * primary's worker log lines.
 */
export async function startCliServer(args: readonly string[], options: { readonly deadlineMs?: number; readonly env?: Readonly<Record<string, string>> } = {}): Promise<CliServer> {
  const deadlineMs = options.deadlineMs ?? 120_000;
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tributary.js'), ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info', ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.on('error', (error) => (stderr += `\nspawn error: ${error.message}`));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url: string = await waitFor(
    `tributary ${args.join(' ')} to print its URL`,
    () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`tributary ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before serving:\n${stderr}`);
      return /GraphiQL: (\S+)/.exec(stdout)?.[1] ?? '';
    },
    deadlineMs,
    50,
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`);
  });
  return { child, url, stderr: () => stderr, exited };
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * One request on a new TCP connection (no keep-alive agent), so a cluster's primary hands
 * each request to the next worker in turn. A connection error rejects; `timeoutMs` bounds it.
 */
export function freshRequest(url: string, method: 'GET' | 'POST', body?: unknown, timeoutMs = 15_000): Promise<Answer> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: timeoutMs, headers: text ? { 'content-type': 'application/json', accept: 'application/json' } : {} }, (res) => {
      let received = '';
      res.setEncoding('utf8').on('data', (s: string) => (received += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: received }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(text);
  });
}

/** Whether `pid` is a running process (a zombie, exited but not reaped, is not). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), in parentheses: state, then parent PID.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The parent PID of a running process, or null. */
export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}
