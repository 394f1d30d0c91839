import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InputError } from '../errors/errors.ts';
import { auditDocSchema } from '../schemas/records.ts';
import { auditKey, normalizeAudit } from './audit.normalize.ts';

const data = resolve(import.meta.dirname, '../../../shared/data/k8s-audit');
const ctx = { cluster: 'east', ingestedAt: 1_700_000_000_000 };
const jsonl = (f: string) =>
  readFileSync(resolve(data, f), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

describe('normalizeAudit', () => {
  it('turns every real OpenShift audit event into a valid doc with the fields people filter on', () => {
    const items = jsonl('openshift-clo_audit_in_openshift412_requestresponse.jsonl');
    const r = normalizeAudit({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }, ctx)!;
    expect(r.rejected).toEqual([]);
    expect(r.docs).toHaveLength(items.length);
    for (const d of r.docs) expect(auditDocSchema.safeParse(d).success).toBe(true);
    const first = r.docs[0]!;
    expect(first).toMatchObject({
      id: 'b6560098-0bbb-4593-ad6a-9c0022e9dc87:ResponseComplete',
      cluster: 'east',
      verb: 'get',
      user: 'system:apiserver',
      groups: ['system:masters'],
      resource: 'namespaces',
      name: 'openshift-marketplace',
      namespace: 'openshift-marketplace',
      code: 200,
    });
    expect(auditKey(first)).toBe('openshift-marketplace/namespaces/openshift-marketplace');
  });

  it('accepts a single Event and v1beta1', () => {
    const single = JSON.parse(readFileSync(resolve(data, 'openshift-clo_raw_audit_openshift.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(normalizeAudit(single, ctx)!.docs).toHaveLength(1);
    const beta = {
      ...single,
      apiVersion: 'audit.k8s.io/v1beta1',
      requestReceivedTimestamp: undefined,
      stageTimestamp: undefined,
      timestamp: '2019-01-01T00:00:00Z',
    };
    expect(
      normalizeAudit({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1beta1', items: [beta] }, ctx)!.docs[0]!.time,
    ).toBe(Date.UTC(2019, 0, 1));
  });

  it('reports partial EKS/AKS samples by index and reason, keeping the valid ones', () => {
    const items = jsonl('panther-analysis_k8s-rule-test-events.jsonl').map((r) => (r as { event: unknown }).event);
    const r = normalizeAudit(items, ctx)!;
    expect(r.docs.length + r.rejected.length).toBe(items.length);
    expect(r.docs.length).toBe(17);
    expect(r.rejected[0]).toMatchObject({
      index: expect.any(Number),
      reason: expect.stringMatching(/auditID|stage|Timestamp/),
    });
  });

  it('gives the same id for the same auditID and stage, a different one per stage', () => {
    const ev = { auditID: 'a1', stage: 'ResponseComplete', requestReceivedTimestamp: '2024-01-01T00:00:00Z' };
    const a = normalizeAudit([ev, { ...ev, stage: 'RequestReceived' }, ev], ctx)!.docs.map((d) => d.id);
    expect(a).toEqual(['a1:ResponseComplete', 'a1:RequestReceived', 'a1:ResponseComplete']);
  });

  it("reads impersonation, the authorizer's decision and reason, the response reason and message, and objectRef.uid", () => {
    const items = readFileSync(
      resolve(import.meta.dirname, '../../test/fixtures/k8s-audit/kubectl-as-impersonation.jsonl'),
      'utf8',
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown);
    const { docs, rejected } = normalizeAudit({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }, ctx)!;
    expect(rejected).toEqual([]);
    const refused = docs.find((d) => d.decision === 'forbid' && d.impersonatedUser === 'bob')!;
    expect(refused).toMatchObject({
      user: 'system:admin',
      impersonatedUser: 'bob',
      impersonatedGroups: expect.arrayContaining(['system:authenticated']),
      decision: 'forbid',
      responseReason: 'Forbidden',
      code: 403,
      responseMessage: expect.stringMatching(/is forbidden: User "bob" cannot/),
    });
    // RBAC leaves the reason of a forbid empty: no field rather than an empty one.
    expect(refused.authzReason).toBeUndefined();
    expect(docs.find((d) => d.decision === 'allow' && d.impersonatedUser === 'bob')!.authzReason).toMatch(
      /^RBAC: allowed by RoleBinding/,
    );
    expect(docs.filter((d) => d.objectUid)).toHaveLength(9);
    // RequestReceived comes before authorization: no decision, no response.
    expect(
      docs
        .filter((d) => d.stage === 'RequestReceived')
        .every((d) => d.decision === undefined && d.responseReason === undefined),
    ).toBe(true);
    for (const d of docs) expect(auditDocSchema.safeParse(d).success).toBe(true);
  });

  it('refuses a body of another apiVersion or kind whole, naming the field', () => {
    const item = { auditID: 'a1', stage: 'ResponseComplete', requestReceivedTimestamp: '2024-01-01T00:00:00Z' };
    const refused = (body: unknown) => {
      try {
        normalizeAudit(body, ctx);
      } catch (err) {
        return (err as InputError).details;
      }
      return undefined;
    };
    expect(refused({ kind: 'EventList', apiVersion: 'audit.k8s.io/v2', items: [item] })).toEqual([
      { path: 'body.apiVersion', message: 'must be audit.k8s.io/v1 or audit.k8s.io/v1beta1, not "audit.k8s.io/v2"' },
    ]);
    expect(refused({ kind: 'EventList', apiVersion: 'v1', items: [item] })?.map((d) => d.path)).toEqual([
      'body.apiVersion',
    ]);
    expect(refused({ ...item, kind: 'Pod', apiVersion: 7 })?.map((d) => d.path)).toEqual([
      'body.apiVersion',
      'body.kind',
    ]);
    expect(() =>
      normalizeAudit({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1beta1', items: [item] }, ctx),
    ).not.toThrow();
    expect(normalizeAudit({ items: [item] }, ctx)!.docs).toHaveLength(1);
    // An item of another version inside a v1 list is refused alone, by index.
    expect(
      normalizeAudit(
        {
          kind: 'EventList',
          apiVersion: 'audit.k8s.io/v1',
          items: [item, { ...item, auditID: 'a2', apiVersion: 'audit.k8s.io/v2' }],
        },
        ctx,
      )!.rejected,
    ).toEqual([{ index: 1, reason: 'apiVersion: must be audit.k8s.io/v1 or audit.k8s.io/v1beta1' }]);
  });

  it('refuses a body with no items', () => {
    expect(normalizeAudit('text', ctx)).toBeUndefined();
    expect(normalizeAudit({ kind: 'EventList', items: 'x' }, ctx)).toBeUndefined();
  });
});
