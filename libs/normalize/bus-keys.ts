import type { AnyDoc } from '../schemas/records.ts';
import type { AuditDoc, EventDoc, LogDoc, RecordKind } from '../schemas/records.ts';
import { auditKey } from './audit.normalize.ts';
import { eventKey } from './events.normalize.ts';
import { logKey } from './logs.normalize.ts';

/** Bus partitioning key per kind, keyed by kind so a new kind adds an entry, not a branch. */
export const BUS_KEY: Record<RecordKind, (doc: AnyDoc) => string> = {
  audit: (doc) => auditKey(doc as AuditDoc),
  events: (doc) => eventKey(doc as EventDoc),
  logs: (doc) => logKey(doc as LogDoc),
};
