import type { BulkAction } from '../elasticsearch/bulk-request.ts';
import type { LogDoc } from '../schemas/records.ts';
import { attributesKey, ContentIds, logDoc, type LogFields } from './log-doc.ts';
import type { ClusterOf } from './otlp-logs.normalize.ts';
import { hashId } from './logs.normalize.ts';
import { sourceTime } from '../time/time.ts';

/**
 * Where the agents that write to Elasticsearch put each field, first match winning:
 * Fluent Bit's es output after its kubernetes filter (`kubernetes.namespace_name`, `log`), Filebeat's
 * ECS fields (`kubernetes.namespace`, `kubernetes.pod.name`, `log.level`), Vector's kubernetes_logs
 * source (`kubernetes.pod_namespace`, `timestamp`), the OpenTelemetry Collector's ES exporter in otel
 * mode (`resource.attributes.k8s.*`, `body.text`, `severity_text`), and plain OTel semantic-convention keys.
 * A path matches nested objects and dotted keys alike (`{"log":{"level":…}}` or `{"log.level":…}`).
 */
const PATHS = {
  message: ['message', 'log', 'msg', 'body.text', 'body'],
  time: ['@timestamp', 'timestamp', 'time', 'date'],
  cluster: [
    'cluster',
    'kubernetes.cluster',
    'orchestrator.cluster.name',
    'k8s.cluster.name',
    'resource.attributes.k8s.cluster.name',
  ],
  namespace: [
    'kubernetes.namespace_name',
    'kubernetes.namespace',
    'kubernetes.pod_namespace',
    'k8s.namespace.name',
    'resource.attributes.k8s.namespace.name',
  ],
  pod: ['kubernetes.pod_name', 'kubernetes.pod.name', 'k8s.pod.name', 'resource.attributes.k8s.pod.name'],
  container: [
    'kubernetes.container_name',
    'kubernetes.container.name',
    'k8s.container.name',
    'resource.attributes.k8s.container.name',
  ],
  node: [
    'kubernetes.host',
    'kubernetes.node.name',
    'kubernetes.pod_node_name',
    'k8s.node.name',
    'resource.attributes.k8s.node.name',
  ],
  stream: ['stream', 'log.iostream', 'attributes.log.iostream'],
  severity: ['level', 'log.level', 'severity', 'severity_text', 'severity.text'],
  traceId: ['trace_id', 'trace.id', 'traceId'],
  spanId: ['span_id', 'span.id', 'spanId'],
  labels: ['kubernetes.labels', 'kubernetes.pod_labels'],
} as const;

export type ItemOutcome = { ok: true; doc: LogDoc } | { ok: false; status: number; type: string; reason: string };

export interface EsBulkContext {
  clusterOf: ClusterOf;
  /** The index of `/elasticsearch/<index>/_bulk`, for actions that name none. */
  defaultIndex: string | undefined;
  ingestedAt: number;
}

/**
 * Bulk actions → one outcome per item, in order. `index` and `create` store a log record; `update` and
 * `delete` fail their item (logs are append-only here). With an `_id`, the record's id is that index and
 * id, so a resent item overwrites itself as in Elasticsearch; without one (Elasticsearch would make a
 * random id and store a resend twice) it hashes the content, like the other intakes.
 */
export function normalizeEsBulk(actions: readonly BulkAction[], ctx: EsBulkContext): ItemOutcome[] {
  const ids = new ContentIds(true);
  return actions.map((action) => normalizeItem(action, ctx, ids));
}

function normalizeItem(action: BulkAction, ctx: EsBulkContext, ids: ContentIds): ItemOutcome {
  if (action.op === 'update' || action.op === 'delete') {
    return {
      ok: false,
      status: 400,
      type: 'action_request_validation_exception',
      reason: `${action.op} is not supported: Pharos stores log records append-only (use index or create)`,
    };
  }
  if (!action.source)
    return { ok: false, status: 400, type: 'document_parsing_exception', reason: action.problem ?? 'no document' };
  const src = action.source;
  const used = new Set<string>();
  const take = (paths: readonly string[]): unknown => {
    for (const path of paths) {
      const value = getPath(src, path);
      if (value !== undefined && value !== null && value !== '') {
        used.add(path);
        return value;
      }
    }
    return undefined;
  };
  const message = take(PATHS.message);
  if (typeof message !== 'string')
    return {
      ok: false,
      status: 400,
      type: 'document_parsing_exception',
      reason: 'the document has no message (message, log, msg or body.text)',
    };
  const rawTime = take(PATHS.time);
  const time = sourceTime(rawTime);
  if (time === undefined)
    return {
      ok: false,
      status: 400,
      type: 'document_parsing_exception',
      reason: 'the document has no time (@timestamp, timestamp or time) that parses as one',
    };
  const resolved = ctx.clusterOf(text(take(PATHS.cluster)));
  if ('reason' in resolved)
    return { ok: false, status: 400, type: 'illegal_argument_exception', reason: resolved.reason };
  const labels = take(PATHS.labels);
  const index = action.index ?? ctx.defaultIndex;
  const fields: LogFields = {
    time,
    message,
    namespace: text(take(PATHS.namespace)),
    pod: text(take(PATHS.pod)),
    container: text(take(PATHS.container)),
    node: text(take(PATHS.node)),
    stream: text(take(PATHS.stream)),
    severity: text(take(PATHS.severity)),
    traceId: text(take(PATHS.traceId))?.toLowerCase(),
    spanId: text(take(PATHS.spanId))?.toLowerCase(),
    labels: isObject(labels) ? stringValues(labels) : undefined,
  };
  const attributes: Record<string, string> = index ? { 'es.index': index } : {};
  flatten(attributes, src, { prefix: '', used });
  fields.attributes = attributes;
  const id =
    action.id !== undefined
      ? hashId([resolved.cluster, index, action.id])
      : ids.next([
          resolved.cluster,
          index,
          fields.namespace,
          fields.pod,
          fields.container,
          String(rawTime),
          message,
          attributesKey(attributes),
        ]);
  return { ok: true, doc: logDoc(id, fields, { cluster: resolved.cluster, ingestedAt: ctx.ingestedAt }) };
}

/** A path through nested objects and dotted keys alike: `a.b.c` finds `{a:{b:{c}}}`, `{"a.b":{c}}`, `{"a.b.c"}`. */
export function getPath(obj: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(obj, path)) return obj[path];
  for (let dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
    const head = obj[path.slice(0, dot)];
    if (isObject(head)) {
      const found = getPath(head, path.slice(dot + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The document's other fields as dotted keys: strings as they are, numbers, booleans and lists as JSON. */
function flatten(
  out: Record<string, string>,
  obj: Record<string, unknown>,
  { prefix, used }: { prefix: string; used: ReadonlySet<string> },
): void {
  for (const key in obj) {
    const name = prefix + key;
    if (used.has(name)) continue;
    const value = obj[key];
    if (isObject(value)) flatten(out, value, { prefix: `${name}.`, used });
    else if (value !== null && value !== undefined)
      out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

function stringValues(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in o)
    if (o[key] !== null && o[key] !== undefined)
      out[key] = typeof o[key] === 'string' ? (o[key] as string) : JSON.stringify(o[key]);
  return out;
}
