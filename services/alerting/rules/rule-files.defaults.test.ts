import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../libs/config/config.loader.ts';
import { expandGlobs } from './rule-files.ts';

// Moved from libs/config/config.loader.test.ts (libs/ never imports services/): the default rule files are
// found from any working directory, as the other defaults resolve against the package root.
describe('default alerting.ruleFiles', () => {
  it('resolve against the package root from any cwd', () => {
    const c = loadConfig({ env: {} });
    expect(expandGlobs(c.alerting.ruleFiles, tmpdir()).length).toBeGreaterThan(0);
  });
});
