import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGroup, type AlertRule } from './compile.ts';
import { expandGlobs, loadRuleFiles, parseRuleText } from './rule-files.ts';

const repo = join(import.meta.dirname, '../../..');
const shared = join(repo, '../shared/data/alert-rules');

describe('rule files', () => {
  it('loads every shared real-world rule file, plain and PrometheusRule', () => {
    const files = readdirSync(shared).map((f) => join('../shared/data/alert-rules', f));
    const { groups, problems } = loadRuleFiles(files, 60_000, repo);
    expect(problems).toEqual([]);
    expect(groups.length).toBeGreaterThan(30);
    const alerts = groups.flatMap((g) => g.rules).filter((r) => r.type === 'alert');
    expect(alerts.length).toBeGreaterThan(100);
    expect(alerts.every((r) => (r as AlertRule).source === 'metric')).toBe(true);
  });

  it('loads the shipped defaults as rules over records', () => {
    const { groups, problems } = loadRuleFiles(['alert-rules/**/*.yaml'], 60_000, repo);
    expect(problems).toEqual([]);
    const rules = groups.flatMap((g) => g.rules) as AlertRule[];
    expect(rules.map((r) => r.name)).toContain('KubeExecIntoPod');
    const exec = rules.find((r) => r.name === 'KubeExecIntoPod');
    expect(exec?.records).toMatchObject({ kind: 'audit', filters: { resource: ['pods'], subresource: ['exec', 'attach'] }, groupBy: ['namespace', 'name', 'user'], op: '>', threshold: 0, windowMs: 300_000 });
    const secrets = rules.find((r) => r.name === 'KubeSecretReadByUser');
    expect(secrets?.records?.post[0]?.negate).toBe(true);
    expect(secrets?.records?.post[0]?.regex.test('system:serviceaccount:a:b')).toBe(true);
  });

  it('points validation errors at the field', () => {
    expect(() => parseRuleText('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: soon\n        anotations: {}\n')).toThrow(
      expect.objectContaining({ details: expect.arrayContaining([expect.objectContaining({ path: 'groups.0.rules.0.for' }), expect.objectContaining({ path: 'groups.0.rules.0' })]) }),
    );
    const bad = { name: 'g', rules: [{ expr: 'sum(', alert: 'A' }, { alert: 'B', expr: 'up', annotations: { x: '{{ if }}' } }] };
    try {
      compileGroup(bad, { type: 'api' }, 60_000);
      expect.unreachable();
    } catch (err) {
      const paths = (err as { details: { path: string }[] }).details.map((d) => d.path);
      expect(paths).toEqual(['rules.0.expr', 'rules.1.annotations.x']);
    }
    expect(() => compileGroup({ name: 'g', rules: [{ alert: 'A', expr: 'count_over_time(pharos_events{nope="x"}[5m]) > 0' }] }, { type: 'api' }, 1)).toThrow(/not a filter of events/);
    expect(() => compileGroup({ name: 'g', rules: [{ alert: 'A', expr: 'pharos_events > 0' }] }, { type: 'api' }, 1)).toThrow(/count_over_time/);
  });

  it('expands globs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-glob-'));
    for (const f of ['a.yaml', 'b.yml', 'c.txt']) writeFileSync(join(dir, f), '');
    expect(expandGlobs(['*.{yaml,yml}'], dir)).toEqual(['a.yaml', 'b.yml']);
    expect(expandGlobs(['**/*.txt', 'a.yaml', 'missing.yaml'], dir)).toEqual(['a.yaml', 'c.txt']);
  });
});
