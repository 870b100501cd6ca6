/** Types for kafka/broker.mjs (plain ESM so it runs without tsx); see that file's doc comment. */

export interface StartBrokerOptions {
  /** Broker port on 127.0.0.1; 0 or omitted: the one recorded in dataDir, else any free port. */
  readonly port?: number;
  /** Controller port; omitted: recorded, else port + 1 when port is given, else any free port. */
  readonly controllerPort?: number;
  /** Data dir (config, KRaft logs, broker.log); omitted: a temp dir removed when this process exits. */
  readonly dataDir?: string;
  /** Progress lines (fetching jars, starting, waiting); default: stderr with a "[kafka] " prefix. */
  readonly log?: (line: string) => void;
  /** Where the jars go; default <repo>/.kafka/lib. */
  readonly libDir?: string;
  /** Extra JVM flags, after the defaults (-Xms256m -Xmx512m ...), so they override them. */
  readonly jvmOptions?: readonly string[];
  /** How long to wait for the broker to answer; default 90 000 ms. */
  readonly readyTimeoutMs?: number;
  /** Let the JVM outlive this process (CLI `start --detach`); stop it with stopBrokerInDir. */
  readonly detached?: boolean;
}

export interface RunningBroker {
  /** "127.0.0.1:PORT", for kafkajs `brokers` or KAFKA_BROKERS. */
  readonly brokers: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  /** The JVM's stdout and stderr (appended across restarts). */
  readonly logFile: string;
  /** The Kafka version pinned in kafka/pom.xml. */
  readonly version: string;
  /** The JVM's pid, or null while stopped. */
  readonly pid: number | null;
  /** Resolves when the current JVM exits, however it exits. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (clean shutdown), SIGKILL after 30 s; resolves once the JVM has exited. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, for fault tests; the data dir is recovered on restart(). */
  kill(): Promise<void>;
  /** Stops the broker if running, starts it again on the same ports and data, waits until ready. */
  restart(): Promise<void>;
}

export function startBroker(options?: StartBrokerOptions): Promise<RunningBroker>;

/** Stops a detached broker by the pid file in dataDir; resolves false when none was running. */
export function stopBrokerInDir(
  dataDir: string,
  options?: { readonly timeoutMs?: number; readonly log?: (line: string) => void },
): Promise<boolean>;
