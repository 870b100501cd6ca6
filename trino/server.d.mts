/** Types for trino/server.mjs (plain ESM so it runs without tsx); see that file's doc comment. */

export interface StartTrinoOptions {
  /** HTTP port on 127.0.0.1; default 8080. */
  readonly port?: number;
  /** Config, data and logs; default <repo>/.trino/run-<port>. */
  readonly runDir?: string;
  /** Progress lines (fetching, starting, waiting); default stderr with a "[trino] " prefix. */
  readonly log?: (line: string) => void;
  /** How long to wait for the first query over a catalog (trinoAnswers); default 180 000 ms. */
  readonly readyTimeoutMs?: number;
  /** Let the JVM outlive this process; stop it with stopTrinoInDir or `node trino/trino.mjs stop`. */
  readonly detached?: boolean;
  /** JVM heap (-Xmx); default 2G. */
  readonly heap?: string;
}

export interface RunningTrino {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly runDir: string;
  /** Trino's server.log. */
  readonly logFile: string;
  readonly pid: number;
  /** Resolves when the JVM exits, however it exits. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (graceful), SIGKILL after 30 s. */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export const DEFAULT_PORT: number;
export function startTrino(options?: StartTrinoOptions): Promise<RunningTrino>;
export function stopTrinoInDir(runDir: string, options?: { readonly log?: (line: string) => void }): Promise<boolean>;
export function defaultRunDir(port: number): string;
export function javaHome(): string | undefined;
/** True when the Trino at url runs a query over the tpch catalog within timeoutMs (not only `select 1`: see trinoAnswers.mjs); never throws. */
export function trinoAnswers(url: string, timeoutMs?: number, user?: string): Promise<boolean>;
