import type Database from 'better-sqlite3';

/**
 * Statements prepared once per connection: SQLite compiles a statement on prepare, which was two fifths of a
 * dashboard's events or logs panel on a warm reload and a few percent of a warm render's dashboard read
 * (issue 21). Bounded, since a search's or a list's SQL varies with its filters: past `max` distinct
 * statements the cache starts again. Cleared when the connection closes (its statements die with it).
 */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: () => Database.Database,
    private readonly max = 64,
  ) {}

  get(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      if (this.statements.size >= this.max) this.statements.clear();
      st = this.db().prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  clear(): void {
    this.statements.clear();
  }
}
