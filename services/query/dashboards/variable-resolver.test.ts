import { describe, expect, it } from 'vitest';
import { FULL_SCOPE } from '../../../libs/auth/principal.ts';
import { validateDashboard } from '../../../libs/dashboards/dashboard.parse.ts';
import { queryVariableSchema, type Variable } from '../../../libs/dashboards/dashboard.schema.ts';
import { importDashboard } from '../../../libs/dashboards/import/importers.ts';
import { FakeMetrics } from './testing/fake-backends.ts';
import { resolveVariables } from './variable-resolver.ts';

const long = 'x'.repeat(5000);
const metrics = new FakeMetrics({
  kube_pod_info: ['prod-east', 'PROD-west', 'dev-north', 'kube-system', long].map((namespace) => ({ namespace })),
});

async function optionsOf(regex: string) {
  // Read as a stored variable is (no schema check), so a regex an older Pharos accepted can be tried.
  const v = {
    ...queryVariableSchema.parse({ type: 'query', name: 'ns', query: 'label_values(kube_pod_info, namespace)' }),
    regex,
  } as Variable;
  const { states } = await resolveVariables([v], {
    range: { from: 0, to: 3600e3 },
    requested: {},
    metrics: async () => metrics,
    principalScope: FULL_SCOPE,
    withOptions: true,
  });
  return states[0]!;
}

describe('query variable regex (RE2)', () => {
  it("keeps matches, the first capture group as the value, with Grafana's /…/flags", async () => {
    expect((await optionsOf('/^prod-(.*)$/')).options).toEqual(['east']);
    expect((await optionsOf('/^prod-(.*)$/i')).options).toEqual(['east', 'west']);
    expect((await optionsOf('(?:PROD|dev)-w?')).options).toEqual(['dev-', 'PROD-w']);
  });

  it('answers a backtracking pattern at once, matching nothing', async () => {
    const t0 = performance.now();
    const state = await optionsOf('/^((.*)*)*!$/');
    expect(state.options).toEqual([]);
    expect(state.error).toBeUndefined();
    // A ceiling for something stuck: JavaScript's RegExp takes minutes on the 5,000-character value.
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('reports a stored regex that is not RE2 and keeps no option', async () => {
    const state = await optionsOf('/^(?!kube-).*/');
    expect(state.options).toEqual([]);
    expect(state.error).toMatch(
      /variable regex \/\^\(\?!kube-\)\.\*\/ is not valid RE2 \(invalid or unsupported Perl syntax/,
    );
  });

  it('refuses such a regex in a dashboard being saved, and leaves it out of an import with a note', () => {
    const board = (regex: string) => ({
      title: 't',
      variables: [{ type: 'query', name: 'ns', query: 'label_values(namespace)', regex }],
    });
    expect(() => validateDashboard(board('/^(?!kube-).*/'))).toThrow(
      expect.objectContaining({
        details: [
          expect.objectContaining({
            path: 'variables.0.regex',
            message: expect.stringMatching(/not a valid RE2 regular expression/),
          }),
        ],
      }),
    );
    expect(() => validateDashboard(board('/(?i)^kube-(.*)/'))).not.toThrow();
    const grafana = {
      title: 'g',
      schemaVersion: 36,
      panels: [],
      templating: { list: [{ type: 'query', name: 'ns', query: 'label_values(namespace)', regex: '/^(?!kube-).*/' }] },
    };
    const { dashboard, unconverted } = importDashboard(grafana);
    expect(dashboard.variables[0]).not.toHaveProperty('regex');
    expect(unconverted).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /regex \/\^\(\?!kube-\)\.\*\/ is not RE2, which Pharos evaluates .* left out, so every value is listed/,
        ),
      }),
    ]);
  });
});
