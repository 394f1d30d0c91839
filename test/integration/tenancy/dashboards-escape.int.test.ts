import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_START } from '../../fixtures/prometheus/generate.ts';
import { TOKENS, buildFullApp, type FullApp } from './full-app.ts';

/**
 * Every built-in dashboard rendered (with its variables' options) by a payments-scoped viewer over the
 * fixture window: no series, record or variable option of another namespace comes back.
 */
const OTHER_NAMESPACES = ['kube-system', 'monitoring', 'checkout', 'search', 'default'];
const leaked = (body: string) =>
  OTHER_NAMESPACES.filter(
    (ns) => body.includes(`"namespace":"${ns}"`) || body.includes(`"value":"${ns}"`) || body.includes(`"text":"${ns}"`),
  );

describe('dashboards rendered with a scoped token', () => {
  let full: FullApp;
  let ids: string[] = [];
  const range = `from=${FIXTURE_START * 1000 + 3_600_000}&to=${FIXTURE_START * 1000 + 7_200_000}`;
  beforeAll(async () => {
    full = await buildFullApp();
    const list = await full.app.inject({ url: '/v1/dashboards', headers: { authorization: `Bearer ${TOKENS.admin}` } });
    ids = (list.json().dashboards as { id: string }[]).map((d) => d.id);
  });
  afterAll(() => full?.close());

  it('renders every built-in dashboard without another namespace in its data', async () => {
    expect(ids.length).toBeGreaterThan(0);
    let adminLeaks = 0;
    for (const id of ids) {
      for (const path of ['render', 'variables']) {
        const admin = await full.app.inject({
          url: `/v1/dashboards/${id}/${path}?${range}`,
          headers: { authorization: `Bearer ${TOKENS.admin}` },
        });
        adminLeaks += leaked(admin.body).length;
        const res = await full.app.inject({
          url: `/v1/dashboards/${id}/${path}?${range}`,
          headers: { authorization: `Bearer ${TOKENS.viewer}` },
        });
        expect(res.statusCode, `${id}/${path}: ${res.body.slice(0, 200)}`).toBe(200);
        expect(leaked(res.body), `${id}/${path}`).toEqual([]);
      }
    }
    // The same renders as admin do show other namespaces: the check above can see a leak.
    expect(adminLeaks).toBeGreaterThan(0);
  });
});
