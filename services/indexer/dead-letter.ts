import { z } from 'zod';
import { sleepUntilAborted } from '../../libs/async/sleep.ts';
import type { Bus, BusMessage, ConsumedMessage } from '../../libs/bus/bus.ts';
import { HEADER, type Topics } from '../../libs/bus/topics.ts';
import type { Logger } from '../../libs/logging/logger.ts';
import { RECORD_KINDS, recordKindSchema } from '../../libs/schemas/records.ts';

/**
 * What a dead letter holds: a record of a kind, or a span (`spans`, issue 22). One topic and one letter
 * shape for both, so letters written before spans had them still read the same.
 */
export const DEAD_LETTER_KINDS = [...RECORD_KINDS, 'spans'] as const;
export const deadLetterKindSchema = z.union([recordKindSchema, z.literal('spans')]);
export type DeadLetterKind = z.infer<typeof deadLetterKindSchema>;

/** The topic a kind's messages are consumed from, and where a replay puts its letters back. */
export const topicOfKind = (topics: Topics, kind: DeadLetterKind): string =>
  kind === 'spans' ? topics.spans : topics.kind(kind);

/** A record or span the indexer gave up on: why, where it came from, and the original message to replay. */
export const deadLetterSchema = z.object({
  kind: deadLetterKindSchema,
  reason: z.string(),
  failedAt: z.string(),
  source: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() }),
  key: z.string(),
  headers: z.record(z.string(), z.string()),
  /** The message value exactly as consumed (it may not even be JSON). */
  record: z.string(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

export function toDeadLetter(kind: DeadLetterKind, message: ConsumedMessage, reason: string): BusMessage {
  const letter: DeadLetter = {
    kind,
    reason,
    failedAt: new Date().toISOString(),
    source: { topic: message.topic, partition: message.partition, offset: message.offset },
    key: message.key,
    headers: message.headers ?? {},
    record: message.value,
  };
  return {
    key: message.key,
    value: JSON.stringify(letter),
    headers: { ...(message.headers ?? {}), [HEADER.kind]: kind, 'pharos-reason': reason.slice(0, 200) },
  };
}

export interface ReplayOptions {
  bus: Bus;
  topics: Topics;
  logger: Logger;
  /** Consumer group of the replay; its committed offset remembers what was already replayed. */
  groupId: string;
  /** Only these kinds are replayed (others are skipped and stay consumed). Default: all. */
  kinds?: readonly DeadLetterKind[];
  signal?: AbortSignal;
}

/**
 * Puts dead-lettered records and spans back on their kind's topic (after the cause is fixed: a mapping, a store
 * setting), then returns once the dead-letter topic is read to its end. A record that fails again is
 * dead-lettered again, with its new reason; ids stay the same, so nothing is stored twice.
 */
export async function replayDeadLetters(opts: ReplayOptions): Promise<{ replayed: number; skipped: number }> {
  const counts = { replayed: 0, skipped: 0 };
  const log = opts.logger.child({ component: 'dead-letter-replay' });
  const topic = opts.topics.deadLetter;
  // The fence: letters written from now on (including records that fail again after this replay) are left
  // for a later run, so a replay always ends.
  const fence = await opts.bus.endOffsets(topic);
  const beforeFence = (m: ConsumedMessage) => BigInt(m.offset) < BigInt(fence[m.partition] ?? '0');
  const sub = await opts.bus.subscribe({
    topic,
    groupId: opts.groupId,
    handle: async (batch, signal) => {
      const inFence = batch.slice(
        0,
        indexOrLength(batch, (m) => !beforeFence(m)),
      );
      const byKind = new Map<DeadLetterKind, BusMessage[]>();
      for (const m of inFence) {
        const parsed = deadLetterSchema.safeParse(safeJson(m.value));
        if (!parsed.success || (opts.kinds && !opts.kinds.includes(parsed.data.kind))) {
          counts.skipped += 1;
          continue;
        }
        const d = parsed.data;
        byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), { key: d.key, value: d.record, headers: d.headers }]);
      }
      for (const [kind, messages] of byKind) {
        await opts.bus.publish(topicOfKind(opts.topics, kind), messages, signal);
        counts.replayed += messages.length;
      }
      return { processed: inFence.length };
    },
  });
  const sum = (o: Record<number, string>) => Object.values(o).reduce((a, v) => a + Number(v), 0);
  try {
    // Done when everything left unconsumed was written after the fence.
    while (!opts.signal?.aborted && (await sub.lag()) > sum(await opts.bus.endOffsets(topic)) - sum(fence))
      await sleepUntilAborted(200, opts.signal);
  } finally {
    await sub.stop();
  }
  log.info(counts, 'dead-letter replay finished');
  return counts;
}

function indexOrLength<T>(items: readonly T[], pred: (item: T) => boolean): number {
  const i = items.findIndex(pred);
  return i < 0 ? items.length : i;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
