import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../libs/config/config.loader.ts';
import { METRIC_LEVELS, parseMetricTemplates } from './metric-templates.ts';

describe('metric templates data file', () => {
  const file = new URL('../../../config/metric-templates.yaml', import.meta.url);

  it('defines every level, and every template parses', () => {
    const t = parseMetricTemplates(readFileSync(file, 'utf8'), 'config/metric-templates.yaml');
    for (const level of METRIC_LEVELS) expect(Object.keys(t.levels[level].metrics).length).toBeGreaterThan(2);
  });

  it('lists every problem at once', () => {
    const bad = `levels:\n${METRIC_LEVELS.map((l) => `  ${l}:\n    resourceLabel: ${l}\n    metrics:\n      a: sum(\n      b: rate(x)\n`).join('')}`;
    expect(() => parseMetricTemplates(bad, 'bad.yaml')).toThrow(ConfigError);
    try {
      parseMetricTemplates(bad, 'bad.yaml');
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(METRIC_LEVELS.length * 2);
    }
  });
});
