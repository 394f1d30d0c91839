// An SMTP server inside the test process that keeps every message it accepts, so tests assert on the mails a
// receiver really sent. stop()/start() take it off the network and back on the same port (an outage);
// failNext() answers the next deliveries with an SMTP error (a refusing relay).
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { until } from '../../support/until.ts';

export interface ReceivedMail {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  subject: string;
  text: string;
  html: string | undefined;
  headers: Record<string, string>;
  /** The message exactly as received (RFC 5322). */
  raw: string;
  /** The user name of SMTP AUTH, if the client authenticated. */
  user: string | undefined;
}

export interface SmtpReceiverOptions {
  /** 0 (default) picks a free port; stop()/start() keep whichever port was bound first. */
  port?: number;
  /** When set, AUTH is required and must match (plain text allowed: there is no TLS on loopback). */
  auth?: { user: string; pass: string };
}

export interface SmtpReceiver {
  readonly port: number;
  readonly messages: ReceivedMail[];
  /** Resolves once `count` messages have arrived in total. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Rejects the next `count` messages with `responseCode` (4xx: try later, 5xx: permanent). */
  failNext(count: number, responseCode?: number): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const address = (a: SMTPServerAddress | false): string => (a ? a.address : '');

export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  let failures = { left: 0, responseCode: 451 };
  let port = options.port ?? 0;
  let server: SMTPServer | undefined;

  const create = (): SMTPServer =>
    new SMTPServer({
      logger: false,
      // An outage is abrupt: open client connections are cut after half a second instead of the default 30 s.
      closeTimeout: 500,
      disabledCommands: ['STARTTLS'],
      authOptional: options.auth === undefined,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        const ok = options.auth && auth.username === options.auth.user && auth.password === options.auth.pass;
        if (ok) callback(null, { user: auth.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          if (failures.left > 0) {
            failures.left--;
            callback(Object.assign(new Error('Simulated failure'), { responseCode: failures.responseCode }));
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then((parsed) => {
            messages.push({
              from: address(session.envelope.mailFrom),
              to: session.envelope.rcptTo.map(address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : undefined,
              headers: Object.fromEntries(
                parsed.headerLines.map((h) => [h.key, h.line.slice(h.key.length + 1).trim()]),
              ),
              raw,
              user: typeof session.user === 'string' ? session.user : undefined,
            });
            callback();
          }, callback);
        });
      },
    });

  const start = async (): Promise<void> => {
    if (server) return;
    const next = create();
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.server.address() as AddressInfo).port;
    server = next;
  };
  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await start();
  return {
    get port() {
      return port;
    },
    messages,
    async waitForMessages(count, timeoutMs = 10_000) {
      await until(
        () => messages.length >= count,
        timeoutMs,
        () => `expected ${count} mails, got ${messages.length}`,
      );
      return messages;
    },
    failNext(count, responseCode = 451) {
      failures = { left: count, responseCode };
    },
    stop,
    start,
    close: stop,
  };
}
