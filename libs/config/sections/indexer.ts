import { z } from 'zod';

/**
 * `indexer.*`: the indexer's own settings. `spanPairing` bounds the window in which the spans' indexer pairs a
 * server (consumer) span with its client (producer) parent into an edge of the service graph (docs/traces.md,
 * "How edges are made"). A span the window no longer holds is found in the span store instead, so the bounds
 * trade memory for store lookups, never edges.
 */
export const indexerConfigSchema = z
  .object({
    spanPairing: z
      .object({
        /** Spans held at most (about 0.5 KB each); past it the oldest go first. */
        maxSpans: z.number().int().min(1).max(10_000_000).default(100_000),
        /** Seconds a span is held at most; OTLP SDKs export every 5 s, Collectors batch a few seconds more. */
        maxAgeSeconds: z.number().int().min(1).max(86_400).default(120),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
