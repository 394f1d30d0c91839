import type Database from 'better-sqlite3';

/**
 * Layout of the durable bus file. `bus_messages` holds each partition's log: dense offsets from 0, `cum` the
 * value bytes of the partition up to and including the message (so the bytes between two offsets are two
 * lookups, not a scan) and `len` its own; the value is the last column, so reading offsets and sizes never
 * touches its overflow pages. `bus_partitions` keeps each partition's first held offset (`base`), the next
 * offset and the bytes ever appended; `bus_offsets` the groups' committed next offsets.
 */
export const BUS_SCHEMA_VERSION = 1;

export const BUS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS bus_topics (tid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, partitions INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS bus_partitions (
    tid INTEGER NOT NULL, part INTEGER NOT NULL, base INTEGER NOT NULL, next INTEGER NOT NULL, bytes INTEGER NOT NULL,
    PRIMARY KEY (tid, part)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS bus_messages (
    tid INTEGER NOT NULL, part INTEGER NOT NULL, off INTEGER NOT NULL, cum INTEGER NOT NULL, len INTEGER NOT NULL,
    key TEXT NOT NULL, headers TEXT, value TEXT NOT NULL, PRIMARY KEY (tid, part, off));
  CREATE TABLE IF NOT EXISTS bus_offsets (
    tid INTEGER NOT NULL, grp TEXT NOT NULL, part INTEGER NOT NULL, next INTEGER NOT NULL,
    PRIMARY KEY (tid, grp, part)) WITHOUT ROWID;
`;

export type BusStatements = ReturnType<typeof busStatements>;

export function busStatements(db: Database.Database) {
  return {
    topic: db.prepare('SELECT tid, partitions FROM bus_topics WHERE name = ?'),
    insertTopic: db.prepare('INSERT INTO bus_topics (name, partitions) VALUES (?, ?)'),
    insertPartition: db.prepare('INSERT INTO bus_partitions (tid, part, base, next, bytes) VALUES (?, ?, 0, 0, 0)'),
    partition: db.prepare('SELECT next, bytes FROM bus_partitions WHERE tid = ? AND part = ?'),
    partitionsWithLowest: db.prepare(`SELECT p.part, p.base, p.next, p.bytes,
      (SELECT min(o.next) FROM bus_offsets o WHERE o.tid = p.tid AND o.part = p.part) AS low
      FROM bus_partitions p WHERE p.tid = ?`),
    insertMessage: db.prepare(
      'INSERT INTO bus_messages (tid, part, off, cum, len, key, headers, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    advance: db.prepare('UPDATE bus_partitions SET next = ?, bytes = ? WHERE tid = ? AND part = ?'),
    /** The first held message at or after an offset, and the partition's bytes before it. */
    firstFrom: db.prepare(
      'SELECT off, cum - len AS start FROM bus_messages WHERE tid = ? AND part = ? AND off >= ? ORDER BY off LIMIT 1',
    ),
    readFrom: db.prepare(`SELECT off, key, headers, value FROM bus_messages
      WHERE tid = ? AND part = ? AND off >= ? AND off < ? AND (off = ? OR cum <= ?) ORDER BY off`),
    join: db.prepare(
      'INSERT OR IGNORE INTO bus_offsets (tid, grp, part, next) SELECT tid, ?, part, base FROM bus_partitions WHERE tid = ?',
    ),
    committed: db.prepare('SELECT part, next FROM bus_offsets WHERE tid = ? AND grp = ?'),
    commit: db.prepare(
      'INSERT INTO bus_offsets (tid, grp, part, next) VALUES (?, ?, ?, ?) ON CONFLICT (tid, grp, part) DO UPDATE SET next = excluded.next',
    ),
    lowest:
      db.prepare(`SELECT p.base, (SELECT min(o.next) FROM bus_offsets o WHERE o.tid = p.tid AND o.part = p.part) AS low
      FROM bus_partitions p WHERE p.tid = ? AND p.part = ?`),
    dropBefore: db.prepare('DELETE FROM bus_messages WHERE tid = ? AND part = ? AND off < ?'),
    rebase: db.prepare('UPDATE bus_partitions SET base = ? WHERE tid = ? AND part = ?'),
    bases: db.prepare('SELECT base FROM bus_partitions WHERE tid = ? ORDER BY part'),
    ends: db.prepare('SELECT next FROM bus_partitions WHERE tid = ? ORDER BY part'),
  };
}
