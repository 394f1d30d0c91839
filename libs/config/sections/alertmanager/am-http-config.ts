import { z } from 'zod';
import { amString, issue } from './am-primitives.ts';

/**
 * prometheus/common config.HTTPClientConfig, the `http_config` of every receiver (and of `global`), with its
 * Validate() rules: one kind of authentication, a secret from a value or a file (never both), proxy options that
 * fit together. `*_ref` fields (secret managers) are accepted as Alertmanager accepts them; Pharos has no secret
 * manager, so they are reported as not acted on.
 */
const count = (...xs: unknown[]) => xs.filter((x) => x !== undefined && x !== '').length;

export const tlsConfigSchema = z
  .object({
    ca: amString.optional(),
    cert: amString.optional(),
    key: amString.optional(),
    ca_file: amString.optional(),
    cert_file: amString.optional(),
    key_file: amString.optional(),
    ca_ref: amString.optional(),
    cert_ref: amString.optional(),
    key_ref: amString.optional(),
    server_name: amString.optional(),
    insecure_skip_verify: z.boolean().optional(),
    min_version: z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']).optional(),
    max_version: z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (count(t.ca, t.ca_file, t.ca_ref) > 1)
      issue(ctx, ['ca_file'], 'at most one of ca, ca_file & ca_ref must be configured');
    if (count(t.cert, t.cert_file, t.cert_ref) > 1)
      issue(ctx, ['cert_file'], 'at most one of cert, cert_file & cert_ref must be configured');
    if (count(t.key, t.key_file, t.key_ref) > 1)
      issue(ctx, ['key_file'], 'at most one of key, key_file & key_ref must be configured');
    const hasCert = count(t.cert, t.cert_file, t.cert_ref) > 0;
    const hasKey = count(t.key, t.key_file, t.key_ref) > 0;
    if (hasCert && !hasKey)
      issue(
        ctx,
        ['key_file'],
        'exactly one of key or key_file must be configured when a client certificate is configured',
      );
    if (hasKey && !hasCert)
      issue(ctx, ['cert_file'], 'exactly one of cert or cert_file must be configured when a client key is configured');
  });

const proxyFields = {
  proxy_url: amString.optional(),
  no_proxy: amString.optional(),
  proxy_from_environment: z.boolean().optional(),
  proxy_connect_header: z.record(z.string(), z.array(amString)).optional(),
};

function checkProxy(
  p: {
    proxy_url?: string | undefined;
    no_proxy?: string | undefined;
    proxy_from_environment?: boolean | undefined;
    proxy_connect_header?: Record<string, string[]> | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (p.proxy_url) {
    try {
      new URL(p.proxy_url);
    } catch {
      issue(ctx, ['proxy_url'], `invalid proxy URL "${p.proxy_url}"`);
    }
  }
  if (
    p.proxy_connect_header &&
    Object.keys(p.proxy_connect_header).length &&
    !p.proxy_from_environment &&
    !p.proxy_url
  ) {
    issue(
      ctx,
      ['proxy_connect_header'],
      'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured',
    );
  }
  if (p.proxy_from_environment && p.proxy_url)
    issue(ctx, ['proxy_url'], 'if proxy_from_environment is configured, proxy_url must not be configured');
  if (p.proxy_from_environment && p.no_proxy)
    issue(ctx, ['no_proxy'], 'if proxy_from_environment is configured, no_proxy must not be configured');
  if (!p.proxy_url && p.no_proxy)
    issue(ctx, ['no_proxy'], 'if no_proxy is configured, proxy_url must also be configured');
}

const oauth2Schema = z
  .object({
    client_id: amString.optional(),
    client_secret: amString.optional(),
    client_secret_file: amString.optional(),
    client_secret_ref: amString.optional(),
    client_certificate_key_id: amString.optional(),
    client_certificate_key: amString.optional(),
    client_certificate_key_file: amString.optional(),
    client_certificate_key_ref: amString.optional(),
    grant_type: amString.optional(),
    signature_algorithm: amString.optional(),
    iss: amString.optional(),
    audience: amString.optional(),
    claims: z.record(z.string(), z.unknown()).optional(),
    scopes: z.array(amString).optional(),
    token_url: amString.optional(),
    endpoint_params: z.record(z.string(), amString).optional(),
    tls_config: tlsConfigSchema.optional(),
    ...proxyFields,
  })
  .strict()
  .superRefine((o, ctx) => {
    if (!o.client_id) issue(ctx, ['client_id'], 'oauth2 client_id must be configured');
    if (!o.token_url) issue(ctx, ['token_url'], 'oauth2 token_url must be configured');
    if (count(o.client_secret, o.client_secret_file, o.client_secret_ref) > 1) {
      issue(
        ctx,
        ['client_secret_file'],
        'at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured using grant-type=client_credentials',
      );
    }
    checkProxy(o, ctx);
  });

const headerSchema = z
  .object({
    values: z.array(amString).optional(),
    secrets: z.array(amString).optional(),
    files: z.array(amString).optional(),
  })
  .strict();

export const httpConfigSchema = z
  .object({
    basic_auth: z
      .object({
        username: amString.optional(),
        username_file: amString.optional(),
        username_ref: amString.optional(),
        password: amString.optional(),
        password_file: amString.optional(),
        password_ref: amString.optional(),
      })
      .strict()
      .optional(),
    authorization: z
      .object({
        type: amString.optional(),
        credentials: amString.optional(),
        credentials_file: amString.optional(),
        credentials_ref: amString.optional(),
      })
      .strict()
      .optional(),
    oauth2: oauth2Schema.optional(),
    bearer_token: amString.optional(),
    bearer_token_file: amString.optional(),
    tls_config: tlsConfigSchema.optional(),
    follow_redirects: z.boolean().optional(),
    enable_http2: z.boolean().optional(),
    http_headers: z.record(z.string(), headerSchema).optional(),
    ...proxyFields,
  })
  .strict()
  .superRefine((c, ctx) => {
    const bearer = count(c.bearer_token, c.bearer_token_file) > 0;
    if (c.bearer_token && c.bearer_token_file)
      issue(ctx, ['bearer_token_file'], 'at most one of bearer_token & bearer_token_file must be configured');
    if ((c.basic_auth || c.oauth2) && bearer)
      issue(
        ctx,
        ['bearer_token'],
        'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured',
      );
    const b = c.basic_auth;
    if (b && count(b.username, b.username_file, b.username_ref) > 1)
      issue(
        ctx,
        ['basic_auth', 'username_file'],
        'at most one of basic_auth username, username_file & username_ref must be configured',
      );
    if (b && count(b.password, b.password_file, b.password_ref) > 1)
      issue(
        ctx,
        ['basic_auth', 'password_file'],
        'at most one of basic_auth password, password_file & password_ref must be configured',
      );
    const a = c.authorization;
    if (a) {
      if (bearer)
        issue(ctx, ['authorization'], 'authorization is not compatible with bearer_token & bearer_token_file');
      if (count(a.credentials, a.credentials_file, a.credentials_ref) > 1)
        issue(
          ctx,
          ['authorization', 'credentials_file'],
          'at most one of authorization credentials & credentials_file must be configured',
        );
      if ((a.type ?? '').trim().toLowerCase() === 'basic')
        issue(ctx, ['authorization', 'type'], 'authorization type cannot be set to "basic", use "basic_auth" instead');
      if (c.basic_auth || c.oauth2)
        issue(ctx, ['authorization'], 'at most one of basic_auth, oauth2 & authorization must be configured');
    }
    if (c.oauth2 && c.basic_auth)
      issue(ctx, ['oauth2'], 'at most one of basic_auth, oauth2 & authorization must be configured');
    checkProxy(c, ctx);
  });

export type HttpConfig = z.infer<typeof httpConfigSchema>;
export type TlsConfig = z.infer<typeof tlsConfigSchema>;
