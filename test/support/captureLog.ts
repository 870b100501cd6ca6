import pino from 'pino';
import { vi } from 'vitest';
import { logger } from '../../server/index.ts';

/** One pino line as JSON: level 30 info, 40 warn, 50 error. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly requestId?: string;
  readonly err?: { readonly type?: string; readonly message?: string; readonly stack?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

export interface CapturedLog {
  readonly lines: LogLine[];
  /** The lines logged under a request id. */
  forRequest(requestId: string): LogLine[];
  stop(): void;
}

/**
 * Captures the gateway's log lines in this process: the logger writes each line to its
 * pino destination (fd 2) synchronously, so a spy on that destination's write sees every
 * line as it is logged, in order. Lines are kept, not printed. The level is set to info
 * while capturing, so info lines are there whatever LOG_LEVEL says.
 */
export function captureLog(): CapturedLog {
  const lines: LogLine[] = [];
  const destination = (logger as unknown as Record<symbol, { write(chunk: string): boolean }>)[pino.symbols.streamSym]!;
  const level = logger.level;
  logger.level = 'info';
  const spy = vi.spyOn(destination, 'write').mockImplementation((chunk: string) => {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
    return true;
  });
  return {
    lines,
    forRequest: (requestId) => lines.filter((l) => l.requestId === requestId),
    stop() {
      spy.mockRestore();
      logger.level = level;
    },
  };
}
