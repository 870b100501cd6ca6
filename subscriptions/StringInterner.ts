/**
 * Hands back one shared copy of each string it has seen, up to `capacity` distinct ones.
 *
 * JSON.parse gives every event its own copy of a dimension value longer than a few
 * characters ("North America" is 32 bytes per event). A store that keeps events for an
 * hour keeps those copies too, and each one survives two young-generation collections and
 * is then marked by every full one: at 200,000 events a second, tens of megabytes a second
 * of work for the garbage collector. With the shared copy kept instead, the event's own
 * copy dies young. Dimensions have few distinct values; past `capacity` (a high-cardinality
 * field such as an order id) new values are kept as they come, so memory stays bounded.
 */
export class StringInterner {
  readonly #seen = new Map<string, string>();

  constructor(private readonly capacity = 4_096) {}

  intern(value: string): string {
    const shared = this.#seen.get(value);
    if (shared !== undefined) return shared;
    if (this.#seen.size < this.capacity) this.#seen.set(value, value);
    return value;
  }
}
