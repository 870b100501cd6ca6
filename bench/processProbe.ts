import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProcessLoad {
  readonly wallMs: number;
  /** CPU time of this process (user + system), ms. */
  readonly cpuMs: number;
  /** Event-loop delay while probed: how long ready callbacks (a socket write, a fetch) waited. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/** Starts measuring this process's CPU time and event-loop delay; `stop` returns them. */
export function probeProcess(): { stop(): ProcessLoad } {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  return {
    stop() {
      delay.disable();
      const used = process.cpuUsage(cpu);
      return {
        wallMs: performance.now() - started,
        cpuMs: (used.user + used.system) / 1000,
        loopDelayP99Ms: delay.percentile(99) / 1e6,
        loopDelayMaxMs: delay.max / 1e6,
      };
    },
  };
}

/** heapUsed + external of this process after a full GC (when run with --expose-gc), and rss. */
export function settledMemory(): { readonly heapAndExternal: number; readonly rss: number; readonly gc: boolean } {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heapAndExternal: m.heapUsed + m.external, rss: m.rss, gc: typeof globalThis.gc === 'function' };
}
