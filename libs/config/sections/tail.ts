import { z } from 'zod';

/**
 * `query.tail`: the live tail of logs, events and audit (GET /v1/{kind}/tail). Each open stream polls the record
 * store with its own filters, so these bound the store load and the memory the streams hold.
 */
export const tailConfigSchema = z
  .object({
    /** Streams open at once in one query process; one more is refused with 429 until another closes. */
    maxStreams: z.number().int().min(1).max(10_000).default(32),
    /** Streams one principal (token or JWT subject) may hold open at once. */
    maxStreamsPerPrincipal: z.number().int().min(1).max(10_000).default(4),
    /** How often a stream asks the store for new records. */
    pollIntervalMs: z.number().int().min(100).max(60_000).default(500),
    /**
     * Records whose time is at most this far behind the newest one already shown still appear (delivery is
     * not in time order: shippers buffer, the indexer batches). Older late arrivals are not shown by the tail.
     */
    lateMs: z.number().int().min(0).max(600_000).default(10_000),
    /**
     * Records read per poll; when more matched since the last poll, the newest are shown and the rest counted as
     * dropped.
     */
    maxPerPoll: z.number().int().min(1).max(1000).default(500),
    /**
     * A stream ends (event `end`) after this long; clients open a new one (the console does, from the newest record
     * it has). Bounds how long one request holds a slot, and lets in-process clients (tests) see an end.
     */
    maxDurationMs: z
      .number()
      .int()
      .min(10)
      .max(86_400_000)
      .default(30 * 60_000),
    /** Comment line sent when nothing else was, so proxies keep the stream open and a gone client is noticed. */
    heartbeatMs: z.number().int().min(1000).max(300_000).default(15_000),
  })
  .strict()
  .prefault({});

export type TailConfig = z.infer<typeof tailConfigSchema>;
