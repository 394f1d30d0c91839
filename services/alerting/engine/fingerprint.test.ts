import { describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint.ts';

describe('fingerprint', () => {
  it('matches the fingerprint Alertmanager 0.25 sent for the same labels', () => {
    // From ../shared/data/alertmanager-webhook/generated-locally-am0.25/payload_001.json
    const labels = {
      alertname: 'ShortLivedCondition',
      cluster: 'local-test',
      instance: '127.0.0.1:19090',
      job: 'prometheus',
      severity: 'warning',
      team: 'observability',
    };
    expect(fingerprint(labels)).toBe('b50d6b41a22ad808');
  });

  it('does not depend on key order', () => {
    expect(fingerprint({ a: '1', b: '2' })).toBe(fingerprint({ b: '2', a: '1' }));
    expect(fingerprint({ a: '1' })).not.toBe(fingerprint({ a: '2' }));
  });
});
