import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { humanize, humanizeDuration } from './functions.ts';
import { formatG, sprintf } from './go-format.ts';
import { expandRuleTemplate, templateError } from './rule-template.ts';
import { GoTemplate } from './template.ts';

const render = (src: string, dot: unknown, vars: Record<string, unknown> = {}) =>
  new GoTemplate(src).render(dot, { vars });

describe('Go template subset', () => {
  it('expands Prometheus rule annotations', () => {
    const data = { labels: { namespace: 'ns', pod: 'p-1', job: 'api' }, value: 0.12345 };
    expect(
      expandRuleTemplate('Pod {{ $labels.namespace }}/{{$labels.pod}} is {{ $value | humanizePercentage }}', data).text,
    ).toBe('Pod ns/p-1 is 12.35%');
    expect(expandRuleTemplate('{{ printf "%.2f" $value }}', data).text).toBe('0.12');
    expect(expandRuleTemplate('{{ with $labels.job -}} job={{ . }} {{- end }}!', data).text).toBe('job=api!');
    expect(expandRuleTemplate('{{ if gt $value 0.1 }}high{{ else }}low{{ end }}', data).text).toBe('high');
    expect(expandRuleTemplate('{{ $labels.missing }}|', data).text).toBe('|');
    expect(expandRuleTemplate('{{ "43200" | humanizeDuration }}', data).text).toBe('12h 0m 0s');
    expect(expandRuleTemplate('{{ $labels.job | toUpper }} {{ title "hello world" }}', data).text).toBe(
      'API Hello World',
    );
    expect(expandRuleTemplate('{{ reReplaceAll "(.*)-(\\\\d)" "$2" $labels.pod }}', data).text).toBe('1');
    expect(expandRuleTemplate('{{ query "up" | len }}', data).text).toBe('0');
  });

  it("evaluates reReplaceAll and match with Go's regexp (RE2): its syntax, its replacement rules, linear time", () => {
    const data = {
      labels: { pod: 'api-7f9c-x2', instance: 'Node-1.example.com:9100', long: 'a'.repeat(5000) },
      value: 1,
    };
    expect(expandRuleTemplate('{{ reReplaceAll "(?P<host>[^.:]+).*" "${host}" $labels.instance }}', data).text).toBe(
      'Node-1',
    );
    expect(expandRuleTemplate('{{ reReplaceAll "-" "_" $labels.pod }}', data).text).toBe('api_7f9c_x2');
    expect(expandRuleTemplate('{{ reReplaceAll "a*" "X" "baaac" }}', data).text).toBe('XbXcX');
    expect(expandRuleTemplate('{{ if match "(?i)^node-" $labels.instance }}yes{{ end }}', data).text).toBe('yes');
    expect(
      expandRuleTemplate('{{ if match "(a|aa)+$" (print $labels.long "!") }}yes{{ else }}no{{ end }}', data).text,
    ).toBe('no');
    expect(expandRuleTemplate('{{ reReplaceAll "(?=x)" "" "x" }}', data).error).toMatch(/invalid regular expression/);
  });

  it('falls back to the raw text with an error for unsupported constructs', () => {
    const r = expandRuleTemplate('{{ nosuchfn $value }}', { labels: {}, value: 1 });
    expect(r.text).toBe('{{ nosuchfn $value }}');
    expect(r.error).toMatch(/nosuchfn/);
    expect(templateError('{{ if }}')).toBeDefined();
    expect(templateError('{{ end }}')).toMatch(/unexpected/);
  });

  it('ranges, declares variables and renders Alertmanager-style data', () => {
    const data = { CommonLabels: { alertname: 'X' }, Alerts: [{ Labels: { pod: 'a' } }, { Labels: { pod: 'b' } }] };
    expect(
      render(
        '{{ .CommonLabels.alertname }}:{{ range $i, $a := .Alerts }}{{ if $i }},{{ end }}{{ $a.Labels.pod }}{{ end }}',
        data,
      ),
    ).toBe('X:a,b');
    expect(
      render('{{ $n := len .Alerts }}{{ $n }} {{ range .Alerts }}[{{ .Labels.pod }}]{{ else }}none{{ end }}', data),
    ).toBe('2 [a][b]');
    expect(render('{{ define "x" }}<{{ . }}>{{ end }}{{ template "x" .CommonLabels.alertname }}', data)).toBe('<X>');
    expect(render('{{ if and (eq .CommonLabels.alertname "X") (not false) }}yes{{ end }}', data)).toBe('yes');
  });

  it('formats numbers like Go', () => {
    expect(humanize(1234567)).toBe('1.235M');
    expect(humanize(0.000123)).toBe('123u');
    expect(humanize(0)).toBe('0');
    expect(humanizeDuration(0.5)).toBe('500ms');
    expect(humanizeDuration(90061)).toBe('1d 1h 1m 1s');
    expect(formatG(1e6, undefined)).toBe('1e+06');
    expect(formatG(123456, undefined)).toBe('123456');
    expect(formatG(0.5, undefined)).toBe('0.5');
    expect(sprintf('%.4g|%5.1f|%d|%s|%%', [3.14159, 2.25, 7, 'x'])).toBe('3.142|  2.2|7|x|%');
    expect(sprintf('%.0f|%.0f|%.1f', [2.5, 3.5, 0.35])).toBe('2|4|0.3');
  });

  it('parses every annotation in the shared real-world rule files', () => {
    const dir = join(import.meta.dirname, '../../../../shared/data/alert-rules');
    let count = 0;
    for (const file of readdirSync(dir)) {
      const doc = parse(readFileSync(join(dir, file), 'utf8')) as { groups?: unknown[]; spec?: { groups: unknown[] } };
      for (const g of (doc.spec?.groups ?? doc.groups ?? []) as {
        rules: { annotations?: Record<string, string> }[];
      }[]) {
        for (const r of g.rules) {
          for (const text of Object.values(r.annotations ?? {})) {
            count++;
            expect(templateError(text), text).toBeUndefined();
            expect(
              expandRuleTemplate(text, { labels: { namespace: 'n', pod: 'p' }, value: 0.5 }).error,
              text,
            ).toBeUndefined();
          }
        }
      }
    }
    expect(count).toBeGreaterThan(100);
  });
});
