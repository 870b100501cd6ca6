/**
 * Bounds how many source queries one request runs at once
 * (server.limits.maxSourceQueriesPerRequest); the rest wait their turn in arrival order.
 */
export interface SourceSlots {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createSourceSlots(size: number): SourceSlots {
  let free = size;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    async run(work) {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
