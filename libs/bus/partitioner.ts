import { createHash } from 'node:crypto';

/** Same key, same partition: the ordering guarantee both buses give per key. */
export function partitionFor(key: string, partitions: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % partitions;
}
