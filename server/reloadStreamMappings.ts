import { ConfigErrors } from '../errors/index.ts';
import { loadConfigFile, type Config } from '../schema/index.ts';
import type { StreamHub } from '../subscriptions/index.ts';

/** What a reload did to one stream: its mapping applied, or why not. */
export interface StreamReload {
  readonly stream: string;
  readonly applied: boolean;
  readonly reason?: string;
}

/**
 * A config reload (SIGHUP on `tributary serve`): reads the file again and applies each
 * stream's schema mapping (`fields:`, `version:`) to the running gateway through
 * StreamHub.remap, which swaps only the event readers, so windows that are open stay open.
 * A file that does not validate changes nothing (its errors are returned as `invalid`);
 * a stream whose other settings changed is left as it runs, with the reason. Other parts of
 * the config (datasets, sources, server) are not reloaded: they need a restart.
 *
 * `adapt` turns the file's config into what this process runs: a worker of `serve
 * --workers` runs its own consumer groups (configForWorker), and the file's must not read
 * as a change of them.
 */
export async function reloadStreamMappings(
  file: string,
  running: Config,
  hub: StreamHub,
  env: Readonly<Record<string, string | undefined>> = process.env,
  adapt: (loaded: Config) => Config = (loaded) => loaded,
): Promise<{ readonly invalid: string | null; readonly streams: readonly StreamReload[] }> {
  let next: Config;
  try {
    next = adapt(await loadConfigFile(file, { env }));
  } catch (error) {
    if (error instanceof ConfigErrors) return { invalid: error.message, streams: [] };
    throw error;
  }
  const names = new Set([...Object.keys(running.streams), ...Object.keys(next.streams)]);
  const streams = [...names].map((stream): StreamReload => {
    const config = next.streams[stream];
    if (!config) return { stream, applied: false, reason: `stream ${stream} is gone from ${file}; removing a stream needs a restart` };
    const refused = hub.remap(config);
    return refused === null ? { stream, applied: true } : { stream, applied: false, reason: refused };
  });
  return { invalid: null, streams };
}
