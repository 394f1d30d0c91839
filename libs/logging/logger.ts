import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The one root logger. Components take `logger.child({ component, cluster, topic, partition })`.
 * Secrets are redacted wherever they appear in logged objects.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'pharos' },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          '*.token',
          '*.password',
          '*.tokenSha256',
          'auth.tokens',
          'storage.password',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
