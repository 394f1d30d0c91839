import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.ts';
import { indentQuotedContinuations, parseDocumentText, slugify, validateDashboard } from './dashboard.parse.ts';

describe('validateDashboard', () => {
  it('applies defaults and numbers panels in reading order after the highest given id', () => {
    const d = validateDashboard({
      title: 'T',
      rows: [
        { panels: [{ type: 'stat' }, { id: 7, type: 'text', content: 'x' }] },
        { panels: [{ type: 'timeseries', targets: [{ expr: 'up' }] }] },
      ],
    });
    expect(d.time).toEqual({ from: 'now-1h', to: 'now' });
    expect(d.rows.flatMap((r) => r.panels.map((p) => p.id))).toEqual([8, 7, 9]);
    expect(d.rows[1]!.panels[0]!.gridPos).toEqual({ x: 0, y: 0, w: 12, h: 8 });
  });

  it('lists every problem with the field path', () => {
    const bad = {
      title: '',
      variables: [
        { type: 'query', name: '1x', query: 'up' },
        { type: 'custom', name: 'a', options: ['x'] },
        { type: 'custom', name: 'a', options: ['y'] },
      ],
      rows: [
        {
          panels: [
            { type: 'stat', gridPos: { w: 30 }, targets: [{ expr: '' }] },
            { type: 'text', targets: [{ expr: 'up' }] },
          ],
        },
      ],
    };
    try {
      validateDashboard(bad, 'test');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).details?.map((d) => d.path)).toEqual(
        expect.arrayContaining([
          'title',
          'variables.0.name',
          'variables.0.query',
          'variables.2.name',
          'rows.0.panels.0.gridPos.w',
          'rows.0.panels.0.targets.0.expr',
          'rows.0.panels.1.targets',
        ]),
      );
    }
  });
});

describe('topology panels', () => {
  const one = (panel: Record<string, unknown>) => validateDashboard({ title: 'T', rows: [{ panels: [panel] }] });
  const paths = (panel: Record<string, unknown>) => {
    try {
      one(panel);
      return [];
    } catch (err) {
      return ((err as InputError).details ?? []).map((d) => `${d.path}: ${d.message}`);
    }
  };

  it('take one topology target: sources, and cluster/namespace filters that may be variables', () => {
    const d = one({
      type: 'topology',
      title: 'Calls',
      targets: [{ datasource: 'topology', sources: ['spans', 'istio'], cluster: '$cluster', namespace: 'pay' }],
    });
    expect(d.rows[0]!.panels[0]!.targets).toEqual([
      { datasource: 'topology', sources: ['spans', 'istio'], cluster: '$cluster', namespace: 'pay' },
    ]);
    expect(one({ type: 'topology', targets: [{ datasource: 'topology' }] }).rows[0]!.panels[0]!.type).toBe('topology');
  });

  it('refuse a topology panel without exactly one topology target, and topology targets elsewhere', () => {
    expect(paths({ type: 'topology' })).toEqual([
      'rows.0.panels.0.targets: a topology panel has exactly one target, of datasource topology',
    ]);
    expect(paths({ type: 'topology', targets: [{ expr: 'up' }] })).toHaveLength(1);
    expect(paths({ type: 'topology', targets: [{ datasource: 'topology' }, { datasource: 'topology' }] })).toHaveLength(
      1,
    );
    expect(paths({ type: 'table', targets: [{ datasource: 'topology' }] })).toEqual([
      'rows.0.panels.0.targets.0.datasource: topology targets belong on topology panels',
    ]);
  });

  it('name the field of a bad source list or filter', () => {
    const bad = paths({
      type: 'topology',
      targets: [{ datasource: 'topology', sources: ['spans', 'jaeger'], cluster: '', colour: 'red' }],
    });
    expect(bad.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['rows.0.panels.0.targets.0.sources.1', 'rows.0.panels.0.targets.0.cluster']),
    );
    expect(bad.some((p) => p.includes('colour'))).toBe(true);
    expect(paths({ type: 'topology', targets: [{ datasource: 'topology', sources: [] }] })).toHaveLength(1);
    expect(paths({ type: 'topology', targets: [{ datasource: 'topology', sources: ['spans', 'spans'] }] })).toEqual([
      'rows.0.panels.0.targets.0.sources: each source once',
    ]);
  });
});

describe('parseDocumentText', () => {
  it('reads JSON and YAML and reports the line of a syntax error', () => {
    expect(parseDocumentText('{"a": 1}', 's')).toEqual({ a: 1 });
    expect(parseDocumentText('a: 1\n', 's')).toEqual({ a: 1 });
    expect(() => parseDocumentText('a: [1,\nb: 2', 'file.yaml')).toThrow(/file.yaml: not valid YAML\/JSON/);
    expect(() => parseDocumentText('  \n', 's')).toThrow(/empty/);
  });

  it('accepts quoted scalars continued at the key indentation, as Kubernetes (go-yaml) does', () => {
    const text = "panels:\n  - description: 'first line\n    second: line'\n    id: 5\n";
    expect(parseDocumentText(text, 's')).toEqual({ panels: [{ description: 'first line second: line', id: 5 }] });
    expect(indentQuotedContinuations("k: 'done'\nx: 1")).toBe("k: 'done'\nx: 1");
  });
});

it('slugifies titles and uids', () => {
  expect(slugify('Kubernetes / API server')).toBe('kubernetes-api-server');
  expect(slugify('Oxed_c6Wz')).toBe('oxed_c6wz');
  expect(slugify('***')).toBe('dashboard');
});
