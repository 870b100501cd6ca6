/**
 * What `node kafka/kafka.mjs start` and `node trino/trino.mjs start` do once their JVM
 * service is up and not detached: stay in the foreground until Ctrl-C or SIGTERM. The first
 * signal stops the service gracefully (and says how long that took), a second one kills it;
 * a service that exits on its own fails this process, pointing at its log.
 *
 * `service` has stop(), kill(), exited() (resolves to { code, signal }) and logFile.
 */
export async function runInForeground(service, { name, log }) {
  log('Press Ctrl-C to stop.');
  let stopping = false;
  const onSignal = async (signal) => {
    if (stopping) {
      log(`${signal} again: killing ${name}`);
      await service.kill();
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: stopping ${name}...`);
    const started = Date.now();
    await service.stop();
    log(`${name} stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exit(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The JVM child keeps this process alive; if it dies on its own, say so and fail.
  const { code, signal } = await service.exited();
  if (!stopping) {
    console.error(`${name.toLowerCase()}: ${name} exited unexpectedly (${code ?? signal}); see ${service.logFile}`);
    process.exit(1);
  }
}

/** A --port value: an integer from 1 to `max` (`why` says what bounds it), else an error naming the flag. */
export function parsePort(text, max = 65535, why = '') {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > max) throw new Error(`--port must be an integer from 1 to ${max}${why}, received "${text}"`);
  return port;
}
