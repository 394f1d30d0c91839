import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where the event watch resumes after a restart: the last resourceVersion whose events are on the bus. */
export interface Checkpoint {
  load(): string | undefined;
  save(resourceVersion: string | undefined): void;
}

/** A small JSON file in `dataDir`, replaced atomically (write + rename) so a crash never leaves half a file. */
export function fileCheckpoint(file: string): Checkpoint {
  return {
    load() {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { resourceVersion?: unknown };
        return typeof parsed.resourceVersion === 'string' && parsed.resourceVersion
          ? parsed.resourceVersion
          : undefined;
      } catch {
        return undefined;
      }
    },
    save(resourceVersion) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        `${file}.tmp`,
        JSON.stringify({ resourceVersion: resourceVersion ?? null, savedAt: new Date().toISOString() }),
      );
      renameSync(`${file}.tmp`, file);
    },
  };
}

export function memoryCheckpoint(initial?: string): Checkpoint & { value: string | undefined } {
  const cp = {
    value: initial,
    load: () => cp.value,
    save: (rv: string | undefined) => void (cp.value = rv),
  };
  return cp;
}
