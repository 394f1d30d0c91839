import Database from 'better-sqlite3';

/**
 * What "no data changed" means for the fuzz suite, read straight from the embedded SQLite file: row counts
 * of every table, and per state-store collection the count and the sum of versions (so an update shows).
 * Left out: Pharos's own audit trail (every request adds to it by design) and collections the alerting
 * engine writes on its own schedule.
 */
const BACKGROUND_COLLECTIONS = new Set(['pharos-audit', 'alerting_rule_state', 'alerting_history']);

export function dataSnapshot(dbPath: string): Record<string, string> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, string> = {};
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    for (const { name } of tables) {
      if (name === 'state_docs' || name === 'state_leases') continue;
      out[`table:${name}`] = String(
        (db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n,
      );
    }
    if (tables.some((t) => t.name === 'state_docs')) {
      const rows = db
        .prepare('SELECT collection, count(*) AS n, sum(version) AS v FROM state_docs GROUP BY collection')
        .all() as { collection: string; n: number; v: number }[];
      for (const r of rows)
        if (!BACKGROUND_COLLECTIONS.has(r.collection)) out[`state:${r.collection}`] = `${r.n}/${r.v}`;
    }
    return out;
  } finally {
    db.close();
  }
}
