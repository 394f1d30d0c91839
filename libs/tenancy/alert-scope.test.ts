import { describe, expect, it } from 'vitest';
import { FULL_SCOPE } from '../auth/principal.ts';
import { alertVisible, assertFullScope, silenceOwnerScope, silenceVisible, unconfinedLabel } from './alert-scope.ts';

const PAY = { clusters: ['*'], namespaces: ['payments'] };
const EAST_PAY = { clusters: ['east'], namespaces: ['payments'] };
const eq = (name: string, value: string) => ({ name, value, isRegex: false, isEqual: true });
const re = (name: string, value: string) => ({ name, value, isRegex: true, isEqual: true });

describe('alert and silence scope policy', () => {
  it('shows an alert when its cluster and namespace labels are in scope; node-level ones only to cluster scopes', () => {
    expect(alertVisible(FULL_SCOPE, {})).toBe(true);
    expect(alertVisible(PAY, { cluster: 'east', namespace: 'payments' })).toBe(true);
    expect(alertVisible(PAY, { cluster: 'east', namespace: 'shop' })).toBe(false);
    expect(alertVisible(PAY, { cluster: 'east' })).toBe(false);
    expect(alertVisible({ clusters: ['east'], namespaces: ['*'] }, { cluster: 'east' })).toBe(true);
    expect(alertVisible({ clusters: [], namespaces: ['*'] }, { cluster: 'east' })).toBe(false);
  });

  it('refuses restricted scopes where a full one is needed, naming the action', () => {
    expect(() => assertFullScope(FULL_SCOPE, 'POST /v1/alert-rules')).not.toThrow();
    expect(() => assertFullScope(PAY, 'POST /v1/alert-rules')).toThrow(
      expect.objectContaining({
        code: 'PHAROS_ERR_FORBIDDEN',
        message: expect.stringContaining('POST /v1/alert-rules'),
      }),
    );
  });

  it('confines a silence only by = or =~ of literal alternatives within the scope', () => {
    expect(unconfinedLabel([eq('alertname', 'A')], FULL_SCOPE)).toBeUndefined();
    expect(unconfinedLabel([eq('namespace', 'payments')], PAY)).toBeUndefined();
    expect(unconfinedLabel([re('namespace', 'payments')], PAY)).toBeUndefined();
    expect(unconfinedLabel([re('namespace', 'pay.*')], PAY)).toBe('namespace');
    expect(unconfinedLabel([re('namespace', 'payments|shop')], PAY)).toBe('namespace');
    expect(unconfinedLabel([{ ...eq('namespace', 'payments'), isEqual: false }], PAY)).toBe('namespace');
    expect(unconfinedLabel([eq('namespace', 'payments')], EAST_PAY)).toBe('cluster');
    expect(unconfinedLabel([eq('namespace', 'payments'), eq('cluster', 'east')], EAST_PAY)).toBeUndefined();
  });

  it('gives a restricted creator its scope and refuses an unconfined silence; unrestricted ones make global', () => {
    expect(silenceOwnerScope(FULL_SCOPE, [eq('alertname', 'A')])).toBeUndefined();
    expect(silenceOwnerScope(PAY, [eq('namespace', 'payments')])).toEqual(PAY);
    expect(() => silenceOwnerScope(PAY, [eq('alertname', 'A')])).toThrow(
      expect.objectContaining({
        code: 'PHAROS_ERR_FORBIDDEN',
        message: expect.stringContaining('namespace="<value>"'),
      }),
    );
  });

  it('shows a silence made within the scope, or confined to it by its matchers', () => {
    const global = { matchers: [eq('alertname', 'A')] };
    expect(silenceVisible(FULL_SCOPE, global)).toBe(true);
    expect(silenceVisible(PAY, global)).toBe(false);
    expect(silenceVisible(PAY, { matchers: [eq('namespace', 'payments')] })).toBe(true);
    expect(silenceVisible(PAY, { scope: PAY, matchers: [re('alertname', '.*')] })).toBe(true);
    expect(silenceVisible(EAST_PAY, { scope: PAY, matchers: [eq('namespace', 'payments')] })).toBe(false);
  });
});
