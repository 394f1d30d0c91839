import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The audit inputs of the audit-field tests and what they hold, counted from the raw events themselves
 * (not through Pharos's normalizer or tokenizer), so a test compares Pharos's answers with the input.
 */
export type RawAudit = Record<string, unknown> & {
  auditID: string;
  stage: string;
  requestURI?: string;
  user?: { username?: string };
  impersonatedUser?: { username?: string; groups?: string[] };
  objectRef?: { name?: string; uid?: string };
  responseStatus?: { reason?: string; message?: string };
  annotations?: Record<string, string>;
};

const REPO = resolve(import.meta.dirname, '../../..');
const readJsonl = (path: string): RawAudit[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RawAudit);

/** Real OpenShift 4.12 events (100; decisions, 403/404/409 responses with messages, four objectRef.uid). */
export const openshiftTrace = (): RawAudit[] =>
  readJsonl(resolve(REPO, '../shared/data/k8s-audit/openshift-clo_audit_in_openshift412_requestresponse.jsonl'));
/**
 * kubectl --as sessions written for these tests (test/fixtures/k8s-audit/README.md): impersonation and forbid
 * decisions.
 */
export const impersonationTrace = (): RawAudit[] =>
  readJsonl(resolve(REPO, 'test/fixtures/k8s-audit/kubectl-as-impersonation.jsonl'));

/** Words as `q` sees them: runs of letters and digits, lowercased. */
const words = (text: string | undefined): string[] =>
  (text ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** The text `q` searches in an audit event (docs: requestURI, user, name, impersonatedUser, responseMessage). */
const textOf = (e: RawAudit): string[][] =>
  [e.requestURI, e.user?.username, e.objectRef?.name, e.impersonatedUser?.username, e.responseStatus?.message].map(
    words,
  );

/** Events whose text holds `phrase` as consecutive words in one field. */
export function withPhrase(events: readonly RawAudit[], phrase: string): number {
  const wanted = words(phrase);
  return events.filter((e) =>
    textOf(e).some((field) => field.some((_, i) => wanted.every((w, j) => field[i + j] === w))),
  ).length;
}

export const decisionOf = (e: RawAudit): string | undefined =>
  e.annotations?.['authorization.k8s.io/decision'] || undefined;
export const count = <T>(items: readonly T[], pick: (item: T) => unknown, value: unknown): number =>
  items.filter((i) => pick(i) === value).length;

/** RFC 4180 rows (quoted fields with commas, doubled quotes and line breaks), for reading exports. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
