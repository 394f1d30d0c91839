import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { compileGroup, type AlertRule } from './compile.ts';
import { RULE_GROUP_COLLECTION, RuleCatalog } from './rule-catalog.ts';
import { expandGlobs, loadRuleFiles, parseRuleText } from './rule-files.ts';

const repo = join(import.meta.dirname, '../../..');
const shared = join(repo, '../shared/data/alert-rules');

describe('rule files', () => {
  it('loads every shared real-world rule file, plain and PrometheusRule', () => {
    const files = readdirSync(shared).map((f) => join('../shared/data/alert-rules', f));
    const { groups, problems } = loadRuleFiles(files, { defaultIntervalMs: 60_000 }, repo);
    expect(problems).toEqual([]);
    expect(groups.length).toBeGreaterThan(30);
    const alerts = groups.flatMap((g) => g.rules).filter((r) => r.type === 'alert');
    expect(alerts.length).toBeGreaterThan(100);
    expect(alerts.every((r) => (r as AlertRule).source === 'metric')).toBe(true);
  });

  it('loads the shipped defaults as record-count rules', () => {
    const { groups, problems } = loadRuleFiles(['alert-rules/**/*.yaml'], { defaultIntervalMs: 60_000 }, repo);
    expect(problems).toEqual([]);
    const rules = groups.flatMap((g) => g.rules) as AlertRule[];
    expect(rules.map((r) => r.name)).toContain('KubeExecIntoPod');
    const exec = rules.find((r) => r.name === 'KubeExecIntoPod');
    expect(exec?.records).toMatchObject({
      kind: 'audit',
      filters: { resource: ['pods'], subresource: ['exec', 'attach'] },
      groupBy: ['namespace', 'name', 'user'],
      op: '>',
      threshold: 0,
      windowMs: 300_000,
    });
    const secrets = rules.find((r) => r.name === 'KubeSecretReadByUser');
    expect(secrets?.records?.post[0]?.negate).toBe(true);
    expect(secrets?.records?.post[0]?.regex.test('system:serviceaccount:a:b')).toBe(true);
  });

  it('points validation errors at the field', () => {
    expect(() =>
      parseRuleText(
        'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: soon\n        anotations: {}\n',
      ),
    ).toThrow(
      expect.objectContaining({
        details: expect.arrayContaining([
          expect.objectContaining({ path: 'groups.0.rules.0.for' }),
          expect.objectContaining({ path: 'groups.0.rules.0' }),
        ]),
      }),
    );
    const bad = {
      name: 'g',
      rules: [
        { expr: 'sum(', alert: 'A' },
        { alert: 'B', expr: 'up', annotations: { x: '{{ if }}' } },
      ],
    };
    try {
      compileGroup(bad, { type: 'api' }, { defaultIntervalMs: 60_000 });
      expect.unreachable();
    } catch (err) {
      const paths = (err as { details: { path: string }[] }).details.map((d) => d.path);
      expect(paths).toEqual(['rules.0.expr', 'rules.1.annotations.x']);
    }
    expect(() =>
      compileGroup(
        { name: 'g', rules: [{ alert: 'A', expr: 'count_over_time(pharos_events{nope="x"}[5m]) > 0' }] },
        { type: 'api' },
        { defaultIntervalMs: 1 },
      ),
    ).toThrow(/not a filter of events/);
    expect(() =>
      compileGroup(
        { name: 'g', rules: [{ alert: 'A', expr: 'pharos_events > 0' }] },
        { type: 'api' },
        { defaultIntervalMs: 1 },
      ),
    ).toThrow(/count_over_time/);
  });

  it('refuses at load a rule whose expression would cost a cluster too many points (400 PHAROS_ERR_LIMIT)', () => {
    const group = (expr: string) => ({ name: 'g', rules: [{ alert: 'A', expr }] });
    expect(() =>
      compileGroup(group('max_over_time(kube_pod_info[30d:1ms]) > 0'), { type: 'api' }, { defaultIntervalMs: 1 }),
    ).toThrow(
      expect.objectContaining({
        code: 'PHAROS_ERR_LIMIT',
        message: expect.stringMatching(
          /rules\.0\.expr: the subquery \[4w2d:1ms\] .*federation\.maxPointsPerSeries=11000/,
        ),
      }),
    );
    const limits = { maxPointsPerSeries: 100, maxSubqueryPointsPerSeries: 1000 };
    expect(() =>
      compileGroup(group('max_over_time(up[2h:1m]) > 0'), { type: 'api' }, { defaultIntervalMs: 1, limits }),
    ).toThrow(/federation\.maxPointsPerSeries=100/);
    expect(() =>
      compileGroup(group('max_over_time(up[1h:1m]) > 0'), { type: 'api' }, { defaultIntervalMs: 1, limits }),
    ).not.toThrow();
    // Mixed with another kind of problem, the group is a validation error listing both.
    const mixed = {
      name: 'g',
      rules: [
        { alert: 'A', expr: 'max_over_time(up[30d:1ms])' },
        { alert: 'B', expr: 'sum(' },
      ],
    };
    expect(() => compileGroup(mixed, { type: 'api' }, { defaultIntervalMs: 1 })).toThrow(
      expect.objectContaining({ code: 'PHAROS_ERR_VALIDATION' }),
    );
  });

  it('reports a rule file over the limits as a file problem; the other files load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-rule-cost-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: max_over_time(x[30d:1ms]) > 0\n',
    );
    writeFileSync(
      join(dir, 'good.yaml'),
      'groups:\n  - name: h\n    rules:\n      - alert: B\n        expr: max_over_time(x[1h:1m]) > 0\n',
    );
    const { groups, problems } = loadRuleFiles(['*.yaml'], { defaultIntervalMs: 60_000 }, dir);
    expect(groups.map((g) => g.name)).toEqual(['h']);
    expect(problems).toEqual([
      {
        file: 'bad.yaml',
        message: '1 problem(s)',
        details: [{ path: 'groups.0.rules.0.expr', message: expect.stringMatching(/federation\.maxPointsPerSeries/) }],
      },
    ]);
  });

  it('keeps a stored group that no longer compiles, reported and not evaluated, beside the others', async () => {
    const store = new SqliteStateStore(join(mkdtempSync(join(tmpdir(), 'pharos-rule-stored-')), 's.db'));
    await store.init();
    await store.put(RULE_GROUP_COLLECTION, {
      id: 'legacy',
      value: {
        name: 'legacy',
        rules: [{ alert: 'A', expr: 'up{job=~"(?!node).*"} == 0' }],
      },
    });
    const catalog = new RuleCatalog(store, { ruleFiles: [], defaultIntervalMs: 60_000 });
    await catalog.create({ name: 'fine', rules: [{ alert: 'B', expr: 'up{job=~"(?i)NODE"} == 0' }] });
    await catalog.refresh();
    expect(catalog.groups().map((g) => g.name)).toEqual(['fine']);
    expect(catalog.storedProblems()).toEqual([
      { name: 'legacy', message: expect.stringMatching(/invalid or unsupported Perl syntax/) },
    ]);
    expect(catalog.view('legacy')).toMatchObject({
      id: 'api/legacy',
      problem: expect.stringMatching(/rules\.0\.expr/),
    });
    await store.close();
  });

  it('expands globs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-glob-'));
    for (const f of ['a.yaml', 'b.yml', 'c.txt']) writeFileSync(join(dir, f), '');
    expect(expandGlobs(['*.{yaml,yml}'], dir)).toEqual(['a.yaml', 'b.yml']);
    expect(expandGlobs(['**/*.txt', 'a.yaml', 'missing.yaml'], dir)).toEqual(['a.yaml', 'c.txt']);
  });
});
