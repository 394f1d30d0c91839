// npm run bench -- auth
// Cost of access control per request, through app.inject() (no sockets): a route that does nothing, reached
// with a configured API token, a runtime token (state store, cached), an HS256 JWT and an RS256 JWT, with the
// self-audit trail and rate limiter on; and the same API-token request with the guards off, as the baseline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { ApiTokenStore } from '../libs/auth/api-token.store.ts';
import { ChainAuthenticator } from '../libs/auth/authenticator.ts';
import { JwtAuthenticator } from '../libs/auth/jwt-authenticator.ts';
import { RateLimiter } from '../libs/auth/rate-limiter.ts';
import { SelfAuditLog } from '../libs/auth/self-audit.log.ts';
import { TokenAuthenticator } from '../libs/auth/token-authenticator.ts';
import { jwtConfigSchema } from '../libs/config/sections/auth.ts';
import { buildApp } from '../libs/http/app.ts';
import type { Feature } from '../libs/http/feature.ts';
import { createLogger } from '../libs/logging/logger.ts';
import { createMetricsRegistry } from '../libs/metrics/metrics.ts';
import { SqliteStateStore } from '../libs/store/state/sqlite-state.store.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 5000);
const SECRET = 'a-shared-secret-of-at-least-32-characters!';
const dir = mkdtempSync(join(tmpdir(), 'pharos-auth-bench-'));
const state = new SqliteStateStore(join(dir, 'state.db'));
await state.init();
const logger = createLogger('silent');
const ping: Feature = { name: 'ping', routes: async (app) => void app.get('/v1/ping', async () => ({ ok: true })) };
const configured = new TokenAuthenticator([{ name: 'ops', token: 'bench-admin-token-0123456789', role: 'admin' }]);
const runtime = new ApiTokenStore(async () => state);
const { token: runtimeToken } = await runtime.create(
  { name: 'bench', role: 'viewer', scope: { clusters: ['*'], namespaces: ['payments'] } },
  'bench',
);
const { publicKey, privateKey } = await generateKeyPair('RS256');
const hs = await JwtAuthenticator.create(
  jwtConfigSchema.parse({ issuer: 'idp', audience: 'pharos', algorithms: ['HS256'], secret: SECRET }),
);
writeFileSync(join(dir, 'pub.pem'), await exportSPKI(publicKey));
const rs = await JwtAuthenticator.create(
  jwtConfigSchema.parse({ issuer: 'idp', audience: 'pharos', publicKeyFile: join(dir, 'pub.pem') }),
);
const claims = { pharos_role: 'viewer', pharos_scope: { clusters: ['*'], namespaces: ['payments'] } };
const hsJwt = await new SignJWT(claims)
  .setProtectedHeader({ alg: 'HS256' })
  .setIssuer('idp')
  .setAudience('pharos')
  .setSubject('hs')
  .setExpirationTime('1h')
  .sign(new TextEncoder().encode(SECRET));
const rsJwt = await new SignJWT(claims)
  .setProtectedHeader({ alg: 'RS256' })
  .setIssuer('idp')
  .setAudience('pharos')
  .setSubject('rs')
  .setExpirationTime('1h')
  .sign(privateKey);

const audit = new SelfAuditLog({
  store: async () => state,
  config: { enabled: true, retentionDays: 1, bufferSize: 100_000 },
  logger,
});
const guarded = await buildApp({
  logger,
  metrics: createMetricsRegistry(),
  features: [ping],
  authenticator: new ChainAuthenticator([configured, runtime, hs, rs]),
  guards: { rateLimiter: new RateLimiter({ perSecond: 1e9, burst: 1e9 }), audit },
});
const bare = await buildApp({ logger, metrics: createMetricsRegistry(), features: [ping], authenticator: configured });

async function measure(label: string, app: typeof bare, credential: string): Promise<void> {
  const headers = { authorization: `Bearer ${credential}` };
  // Best of three rounds: the machine is shared, and the first round also warms the JIT.
  let us = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const res = await app.inject({ url: '/v1/ping', headers });
      if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${res.body}`);
    }
    us = Math.min(us, Number(process.hrtime.bigint() - t0) / 1000 / N);
  }
  console.log(
    `${label.padEnd(44)} ${us.toFixed(1).padStart(8)} µs/request  ${(1e6 / us).toFixed(0).padStart(7)} req/s`,
  );
}

console.log(`auth bench: ${N} sequential requests per round, best of 3, Node ${process.version}`);
await measure('baseline: API token, no rate limit/audit', bare, 'bench-admin-token-0123456789');
await measure('API token (config) + rate limit + audit', guarded, 'bench-admin-token-0123456789');
await measure('runtime token (state store, cached)', guarded, runtimeToken);
await measure('JWT HS256', guarded, hsJwt);
await measure('JWT RS256', guarded, rsJwt);
await audit.stop();
const stored = await state.list('pharos-audit', { limit: 10_000 });
console.log(`self-audit: ${stored.items.length} batch documents for ${4 * 3 * N} audited requests`);
await guarded.close();
await bare.close();
await state.close();
rmSync(dir, { recursive: true, force: true });
