import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LogBus, type LogBusOptions } from './log-bus.ts';
import { BUS_SCHEMA, BUS_SCHEMA_VERSION } from './sqlite-bus.schema.ts';
import { SqlitePartitionLog, type SqliteLogLimits } from './sqlite-partition-log.ts';

export interface SqliteBusOptions extends LogBusOptions, Partial<SqliteLogLimits> {
  /** The bus file (its folder is created); the embedded default's is `<dataDir>/bus.db`. */
  path: string;
  /**
   * `full`: every append is synced to disk before publish resolves, so an acknowledged record survives a
   * power loss too. `normal`: it is in the WAL, which survives a crash of Pharos (kill -9) but not of the
   * machine (https://www.sqlite.org/pragma.html#pragma_synchronous).
   */
  synchronous?: 'full' | 'normal';
}

/**
 * The durable bus of the embedded default: Kafka's contract (bus.contract.ts) over a SQLite file in WAL
 * mode. publish() resolves once the messages are committed; consumers commit their offsets after their
 * handler resolved, so what was acknowledged and not yet indexed is read again after any restart, kill -9
 * included. Its own file, not the record store's: SQLite has one writer per file, and intake appends must
 * not queue behind the indexer's bulk writes. One process consumes it (group members are shared within a
 * process); other processes may append to it (the dead-letter replay does).
 */
export class SqliteBus extends LogBus {
  constructor(options: SqliteBusOptions) {
    const db = openBusFile(options.path, options.synchronous ?? 'full');
    const limits: SqliteLogLimits = {
      partitions: options.partitions ?? 4,
      maxBacklog: options.maxBacklog ?? 1_000_000,
      maxBacklogBytes: options.maxBacklogBytes ?? 2 ** 30,
      maxBatchBytes: options.maxBatchBytes ?? 4 * 2 ** 20,
      retainConsumed: options.retainConsumed ?? 1_000,
    };
    super('sqlite', new SqlitePartitionLog(db, limits), options);
  }
}

function openBusFile(path: string, synchronous: 'full' | 'normal'): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > BUS_SCHEMA_VERSION)
      throw new Error(
        `${path} was written by a newer Pharos (bus schema ${version}, this one knows ${BUS_SCHEMA_VERSION})`,
      );
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    // A checkpoint resets the WAL; this keeps the file from staying at its largest size after a burst.
    db.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
    db.exec(BUS_SCHEMA);
    db.pragma(`user_version = ${BUS_SCHEMA_VERSION}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
