/**
 * ensureKafkaJars: make sure .kafka/lib holds the Kafka broker jars that kafka/pom.xml names,
 * downloading them with Maven (from Maven Central, into Maven's own cache) when missing or stale.
 *
 * Invariant: .kafka/lib exists only when complete. Jars are copied into a private temporary
 * folder first, the marker file is written last, and the folder is renamed into place, so two
 * processes fetching at once (parallel test workers) never see a half-filled lib.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const KAFKA_DIR = dirname(fileURLToPath(import.meta.url));
/** The repository root: .kafka/ is resolved from here, not from the caller's cwd. */
export const REPO_ROOT = resolve(KAFKA_DIR, '..');
export const POM_PATH = join(KAFKA_DIR, 'pom.xml');
export const DEFAULT_LIB_DIR = join(REPO_ROOT, '.kafka', 'lib');
const MARKER = '.tributary-kafka';

/** The Kafka version pinned in kafka/pom.xml (its <kafka.version> property). */
export function kafkaVersion() {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM_PATH, 'utf8'));
  if (!match) throw new Error(`${POM_PATH}: expected a <kafka.version> property, found none`);
  return match[1].trim();
}

/** Marker content: the version plus a hash of the POM, so any POM edit refetches. */
function expectedMarker() {
  const pomHash = createHash('sha256').update(readFileSync(POM_PATH)).digest('hex').slice(0, 16);
  return `kafka ${kafkaVersion()} pom ${pomHash}\n`;
}

/** True when libDir is complete and matches the current POM. */
export function jarsAreCurrent(libDir = DEFAULT_LIB_DIR) {
  const marker = join(libDir, MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8') === expectedMarker();
}

/**
 * Returns libDir once it holds the current jars. `log` receives progress lines.
 * @param {{ libDir?: string, log?: (line: string) => void }} [options]
 */
export async function ensureKafkaJars({ libDir = DEFAULT_LIB_DIR, log = () => {} } = {}) {
  if (jarsAreCurrent(libDir)) return libDir;
  const version = kafkaVersion();
  const started = Date.now();
  log(`Fetching Apache Kafka ${version} jars with Maven into ${libDir} (missing or out of date)...`);
  await mkdir(dirname(libDir), { recursive: true });
  const staging = `${libDir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await runMaven(staging, log);
    const jars = (await readdir(staging)).filter((name) => name.endsWith('.jar'));
    if (!jars.some((name) => name.startsWith(`kafka_2.13-${version}`))) {
      throw new Error(`Maven finished but ${staging} has no kafka_2.13-${version}.jar`);
    }
    await writeFile(join(staging, MARKER), expectedMarker());
    if (existsSync(libDir) && !jarsAreCurrent(libDir)) {
      // Stale: move it aside first (rename is atomic), then delete at leisure.
      const old = `${libDir}.old-${process.pid}-${Date.now()}`;
      await rename(libDir, old).catch(() => {});
      await rm(old, { recursive: true, force: true });
    }
    await rename(staging, libDir).catch(async (error) => {
      // Another process won the race with the same content: keep theirs.
      if (!jarsAreCurrent(libDir)) throw error;
    });
    log(`Fetched ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return libDir;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Runs `mvn dependency:copy-dependencies`, turning Maven's download lines into progress. */
function runMaven(outputDir, log) {
  // outputDirectory must be absolute: Maven resolves relative paths against kafka/, not cwd.
  const args = ['-B', '-f', POM_PATH, 'dependency:copy-dependencies', `-DoutputDirectory=${resolve(outputDir)}`];
  return new Promise((resolvePromise, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    let downloads = 0;
    const onLine = (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.includes('Downloaded from') && ++downloads % 25 === 0) {
        log(`  ...${downloads} files downloaded from Maven Central`);
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (buffered + chunk).split('\n');
        buffered = lines.pop();
        lines.forEach(onLine);
      });
    }
    child.on('error', (error) =>
      reject(new Error(`could not run Maven ("mvn" on PATH is required to fetch Kafka): ${error.message}`)),
    );
    child.on('exit', (code) => {
      if (code === 0) return resolvePromise();
      reject(new Error(`mvn ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}

/** Classpath for `java -cp`: every jar in libDir (the JVM expands the wildcard). */
export function classpath(libDir = DEFAULT_LIB_DIR) {
  return join(libDir, '*');
}
