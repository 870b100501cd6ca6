/**
 * Bounds how many source queries one request runs at once
 * (server.limits.maxSourceQueriesPerRequest); the rest wait their turn in arrival order.
 */
export interface SourceSlots {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** One per request, made whether or not it reaches a source: a class, so making one allocates no closures. */
class RequestSourceSlots implements SourceSlots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

export function createSourceSlots(size: number): SourceSlots {
  return new RequestSourceSlots(size);
}
