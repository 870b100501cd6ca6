/**
 * Bounds the single-connection SSE reservations (PUT) that no event stream has opened yet:
 * the graphql-sse handler keeps each one, and queues the results of operations posted to
 * it, until a GET connects. At most `max` may wait at once, each for at most `ttlMs`;
 * `expire` disposes one that waited too long.
 */
export class SseReservations {
  private readonly waiting = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
    private readonly expire: (token: string) => void,
  ) {}

  /** False when `max` reservations already wait for their stream. */
  canReserve(): boolean {
    return this.waiting.size < this.max;
  }

  reserved(token: string): void {
    const timer = setTimeout(() => {
      this.waiting.delete(token);
      this.expire(token);
    }, this.ttlMs);
    timer.unref();
    this.waiting.set(token, timer);
  }

  /** A GET opened the reservation's stream: from now on the connection owns it. */
  connected(token: string): void {
    clearTimeout(this.waiting.get(token));
    this.waiting.delete(token);
  }

  get size(): number {
    return this.waiting.size;
  }

  close(): void {
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }
}
