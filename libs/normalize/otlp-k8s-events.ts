import type { OtlpLogRecord } from '../otlp/otlp-logs.decode.ts';
import { nanosToMillis, type OtlpAttributes, type OtlpValue } from '../otlp/otlp-values.ts';

type Obj = { [key: string]: OtlpValue };
const isObject = (v: OtlpValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEvent = (v: OtlpValue | undefined): boolean =>
  isObject(v) && v.kind === 'Event' && isObject(v.metadata) && (isObject(v.involvedObject) || isObject(v.regarding));
const str = (v: OtlpValue | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The Kubernetes Event a log record carries, as a core/v1 or events.k8s.io/v1 object for normalizeEvent,
 * or undefined for an ordinary log record. Two Collector receivers send Events as logs:
 * - `k8sobjects` (contrib receiver/k8sobjectsreceiver): the body is the object (pull mode) or a watch
 *   event `{type, object}` (watch mode), with `event.domain: k8s` among the attributes;
 * - `k8s_events` (contrib receiver/k8seventsreceiver): the body is the message, the rest is spread over
 *   attributes `k8s.event.{uid,name,reason,count,start_time}` and resource attributes
 *   `k8s.object.{kind,name,uid,fieldpath,api_version,resource_version}`, `k8s.namespace.name`,
 *   `k8s.node.name`; the severity text is the event type (Normal, Warning).
 */
export function k8sEventFromOtlp(record: OtlpLogRecord, resource: OtlpAttributes): Obj | undefined {
  const body = record.body;
  if (isObject(body)) {
    if (isEvent(body)) return body;
    if (isEvent(body.object) && typeof body.type === 'string') return body.object as Obj;
  }
  const uid = str(record.attributes['k8s.event.uid'] ?? resource['k8s.event.uid']);
  if (uid === undefined) return undefined;
  // Made only for a record that is an Event: every log record comes through here.
  const attr = (key: string): OtlpValue | undefined => record.attributes[key] ?? resource[key];
  const namespace = str(attr('k8s.namespace.name'));
  const nanos = record.timeUnixNano !== '0' ? record.timeUnixNano : record.observedTimeUnixNano;
  const event: Obj = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { uid, ...opt('name', str(attr('k8s.event.name'))), ...opt('namespace', namespace) },
    involvedObject: {
      ...opt('kind', str(attr('k8s.object.kind'))),
      ...opt('name', str(attr('k8s.object.name'))),
      ...opt('uid', str(attr('k8s.object.uid'))),
      ...opt('namespace', namespace),
      ...opt('fieldPath', str(attr('k8s.object.fieldpath'))),
      ...opt('apiVersion', str(attr('k8s.object.api_version'))),
    },
    ...opt('reason', str(attr('k8s.event.reason'))),
    ...opt('message', typeof body === 'string' ? body : undefined),
    ...opt('type', record.severityText || undefined),
    ...opt('firstTimestamp', str(attr('k8s.event.start_time'))),
    ...opt('lastTimestamp', nanos === '0' ? undefined : new Date(nanosToMillis(nanos)).toISOString()),
    ...opt('source', str(attr('k8s.node.name')) ? { host: str(attr('k8s.node.name')) as string } : undefined),
  };
  const count = attr('k8s.event.count');
  if (typeof count === 'number' && Number.isInteger(count)) event.count = count;
  return event;
}

function opt(key: string, value: OtlpValue | undefined): Obj {
  return value === undefined ? {} : { [key]: value };
}
