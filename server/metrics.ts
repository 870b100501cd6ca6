import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The gateway's Prometheus metrics, on a registry of its own (several gateways can share a process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tributary_process_' });
  let cache: { readonly bytes: number; readonly entries: number } = { bytes: 0, entries: 0 };
  let l2: { readonly status: 'ok' | 'down' } | null = null;
  new Gauge({
    name: 'tributary_l2_up',
    help: 'Whether the shared L2 cache (Redis) is reachable: 1 up, 0 down (requests then use L1 and the sources); absent without cache.l2.',
    registers: [registry],
    collect() {
      if (l2) this.set(l2.status === 'ok' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tributary_cache_bytes',
    help: 'Bytes of Arrow data held by the result cache.',
    registers: [registry],
    collect() {
      this.set(cache.bytes);
    },
  });
  new Gauge({
    name: 'tributary_cache_entries',
    help: 'Entries in the result cache.',
    registers: [registry],
    collect() {
      this.set(cache.entries);
    },
  });
  return {
    registry,
    streamEvents: new Counter({ name: 'tributary_stream_events_total', help: 'Events decoded from a stream.', labelNames: ['stream'] as const, registers: [registry] }),
    streamLateEvents: new Counter({
      name: 'tributary_stream_late_events_total',
      help: 'Events that arrived more than grace behind stream time (the watermark), counted once per stream whatever its subscriptions.',
      labelNames: ['stream'] as const,
      registers: [registry],
    }),
    streamDroppedWindows: new Counter({
      name: 'tributary_stream_dropped_windows_total',
      help: 'Final window versions dropped from the queue of a subscriber that reads too slowly (windows it never received closed).',
      labelNames: ['stream'] as const,
      registers: [registry],
    }),
    streamBadMessages: new Counter({
      name: 'tributary_stream_bad_messages_total',
      help: 'Messages that could not be decoded (sent to the dead-letter topic when configured).',
      labelNames: ['stream'] as const,
      registers: [registry],
    }),
    streamFusionAfterClose: new Counter({
      name: 'tributary_stream_fusion_after_close_events_total',
      help: "Events of a stream fusion's member that reached a fused window after it had closed without them (the member was idle or too far behind); they are in no fused result.",
      labelNames: ['fusion', 'member'] as const,
      registers: [registry],
    }),
    streamUnknownFields: new Counter({
      name: 'tributary_stream_unknown_fields_total',
      help: 'Members of stream events that no dimension, measure or schema mapping reads, by JSON pointer (a producer added or renamed a field); at most 100 field labels per stream, the rest as "(other)".',
      labelNames: ['stream', 'field'] as const,
      registers: [registry],
    }),
    subscribers: new Gauge({ name: 'tributary_subscribers', help: 'Open subscriptions per stream.', labelNames: ['stream'] as const, registers: [registry] }),
    cacheRequests: new Counter({
      name: 'tributary_cache_requests_total',
      help: 'Plans answered, by how the cache answered them (HIT, DERIVED, MISS, BYPASS).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    l2Reads: new Counter({
      name: 'tributary_l2_reads_total',
      help: 'Cores read from the shared L2 cache: hit, miss (listed but gone), error (Redis failed or timed out).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    l2Writes: new Counter({
      name: 'tributary_l2_writes_total',
      help: 'Cores offered to the shared L2 cache: stored, too_large (over maxEntryBytes), stale (invalidated meanwhile), full (index at its cap), error.',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    l2Waits: new Counter({
      name: 'tributary_l2_lock_waits_total',
      help: "Waits for another replica's source query: served (read its result), takeover (it failed; this replica queried), timeout (maxWait passed).",
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    l2Messages: new Counter({
      name: 'tributary_l2_messages_total',
      help: 'Broadcasts received from other replicas: invalidate, refresh.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    /** Reads L2's status at scrape time (null: no L2). */
    observeL2(cacheL2: { readonly status: 'ok' | 'down' } | null) {
      l2 = cacheL2;
    },
    /** Reads the cache's size at scrape time. */
    observeCache(store: { readonly bytes: number; readonly entries: number }) {
      cache = store;
    },
    sourceQueries: new Counter({
      name: 'tributary_source_queries_total',
      help: 'Queries sent to sources, by source and dataset.',
      labelNames: ['source', 'dataset'] as const,
      registers: [registry],
    }),
    sourceErrors: new Counter({
      name: 'tributary_source_errors_total',
      help: 'Source queries that failed, by source and error code.',
      labelNames: ['source', 'code'] as const,
      registers: [registry],
    }),
    sourceSeconds: new Histogram({
      name: 'tributary_source_query_seconds',
      help: 'Time sources took to answer, by source.',
      labelNames: ['source'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
