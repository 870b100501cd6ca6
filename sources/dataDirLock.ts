import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * One PGlite data directory, one process. PGlite is Postgres compiled to WebAssembly with
 * no postmaster: two processes on one directory both write its files, which crashes the
 * embedded server (`RuntimeError: Aborted()`) and can corrupt the data. So a process that
 * opens a directory first takes `<dataDir>.lock` (beside the directory, so PGlite's initdb
 * never sees it), a JSON file naming the holder's PID.
 *
 * - The lock is created with its content in one step (written to a private file, then
 *   hard-linked into place, which fails when the lock exists), so no one reads a half-written lock.
 * - A lock whose PID is no longer running is stale (the holder crashed or was killed) and is
 *   taken over: it is renamed aside first, so of two processes taking it over, one wins.
 * - Within a process the lock is counted: the demo holds it from seeding to shutdown while its
 *   seeding connection and its source open and close under it.
 */

export interface LockHolder {
  readonly pid: number;
  /** When the holder took the lock (ISO-8601). */
  readonly since: string;
  /** The holder's command line, to tell the user what to stop. */
  readonly command: string;
}

export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the embedded database ${dataDir} is in use by process ${holder.pid} (${holder.command || 'unknown command'}, since ${holder.since}); ` +
        'PGlite allows one process per data directory. Stop that process first, or point check and explain at the running server ' +
        `instead: tributary check --url http://localhost:4000/graphql (explain takes --url too). If process ${holder.pid} is not Tributary, delete ${lockFile}.`,
    );
    this.name = 'DataDirLocked';
  }
}

/** Locks this process holds: lock file → open count. */
const held = new Map<string, number>();
let exitHookInstalled = false;

export function lockFileOf(dataDir: string): string {
  return `${resolve(dataDir)}.lock`;
}

/**
 * Takes the lock of `dataDir` for this process, or throws DataDirLocked naming the live
 * holder. Returns the release; the file goes when the last release of this process runs,
 * or when the process exits.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = lockFileOf(dataDir);
  const count = held.get(lockFile);
  if (count !== undefined) {
    held.set(lockFile, count + 1);
    return releaseOnce(lockFile);
  }
  mkdirSync(dirname(lockFile), { recursive: true });
  const mine: LockHolder = { pid: process.pid, since: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  // A few rounds: each either takes the lock, meets a live holder, or clears a stale lock and tries again.
  for (let round = 0; round < 5; round++) {
    if (create(lockFile, mine)) {
      held.set(lockFile, 1);
      installExitHook();
      return releaseOnce(lockFile);
    }
    const holder = readHolder(lockFile);
    if (holder && holder.pid !== process.pid && isRunning(holder.pid)) throw new DataDirLocked(resolve(dataDir), lockFile, holder);
    takeOverStale(lockFile, dataDir, holder);
  }
  throw new Error(`could not take the lock ${lockFile}: it kept changing hands`);
}

/** The live process other than this one that holds `dataDir`, or null. Does not take the lock. */
export function dataDirHolder(dataDir: string): LockHolder | null {
  const holder = readHolder(lockFileOf(dataDir));
  return holder && holder.pid !== process.pid && isRunning(holder.pid) ? holder : null;
}

function create(lockFile: string, holder: LockHolder): boolean {
  const draft = `${lockFile}.${process.pid}.draft`;
  writeFileSync(draft, `${JSON.stringify(holder)}\n`);
  try {
    linkSync(draft, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

/**
 * Moves a stale lock aside. Between reading it and moving it, another process may have taken
 * the stale lock over and written its own: then that live lock is put back and reported.
 */
function takeOverStale(lockFile: string, dataDir: string, stale: LockHolder | null): void {
  const aside = `${lockFile}.${process.pid}.stale`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else cleared it
    throw error;
  }
  const moved = readHolder(aside);
  if (moved && moved.pid !== stale?.pid && isRunning(moved.pid)) {
    try {
      linkSync(aside, lockFile);
    } catch {
      // A third process has taken the lock meanwhile; the directory is held either way.
    }
    unlinkSync(aside);
    throw new DataDirLocked(resolve(dataDir), lockFile, moved);
  }
  unlinkSync(aside);
}

function readHolder(lockFile: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(lockFile, 'utf8')) as Partial<LockHolder>;
    if (!Number.isInteger(parsed.pid) || parsed.pid! <= 0) return null;
    return { pid: parsed.pid!, since: String(parsed.since ?? 'unknown'), command: String(parsed.command ?? '') };
  } catch {
    return null; // missing, or not a lock this code wrote: treated as stale
  }
}

/** Signal 0 tests for the process without signalling it: ESRCH means gone; EPERM means running under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseOnce(lockFile: string): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const count = (held.get(lockFile) ?? 1) - 1;
    if (count > 0) return void held.set(lockFile, count);
    held.delete(lockFile);
    removeIfMine(lockFile);
  };
}

function removeIfMine(lockFile: string): void {
  if (readHolder(lockFile)?.pid !== process.pid) return;
  try {
    unlinkSync(lockFile);
  } catch {
    // Already gone.
  }
}

/** A process that exits without closing its sources (process.exit, an uncaught error) leaves no lock behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const lockFile of held.keys()) removeIfMine(lockFile);
    held.clear();
  });
}
