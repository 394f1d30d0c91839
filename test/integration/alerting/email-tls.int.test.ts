import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingConfigSchema } from '../../../libs/config/sections/alerting.ts';
import { notificationData } from '../../../services/alerting/notify/notification-data.ts';
import { emailIntegration } from '../../../services/alerting/notify/receivers/email.receiver.ts';

// A real SMTP server that offers STARTTLS with a certificate made for this test, and refuses mail sent in clear.
describe('email over STARTTLS with a verified certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-smtp-tls-'));
  const received: { subject: string; secure: boolean }[] = [];
  let server: SMTPServer;
  let port = 0;

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=pharos-test-smtp',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:pharos-test-smtp',
      ],
      { stdio: 'ignore' },
    );
    server = new SMTPServer({
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
      authOptional: true,
      onMailFrom(_address, session, callback) {
        callback(session.secure ? undefined : Object.assign(new Error('STARTTLS first'), { responseCode: 530 }));
      },
      onData(stream, session, callback) {
        simpleParser(stream).then((mail) => {
          received.push({ subject: mail.subject ?? '', secure: session.secure });
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const data = notificationData({
    receiver: 'mail',
    groupKey: '{}:{alertname="TlsCheck"}',
    groupLabels: { alertname: 'TlsCheck' },
    now: Date.now(),
    externalUrl: 'http://pharos.test',
    alerts: [
      {
        fingerprint: 'f',
        labels: { alertname: 'TlsCheck' },
        annotations: {},
        startsAt: Date.now() - 1000,
        generatorURL: 'g',
        updatedAt: Date.now(),
      },
    ],
  });
  const global = alertingConfigSchema.parse({}).global;

  it('upgrades with STARTTLS, checks the server certificate against ca_file, and sends', async () => {
    const integ = emailIntegration(
      {
        to: 'a@example.test',
        from: 'p@example.test',
        smarthost: `127.0.0.1:${port}`,
        require_tls: true,
        send_resolved: false,
        tls_config: { ca_file: join(dir, 'cert.pem') },
      },
      0,
      { global },
    );
    await integ.notify(data, AbortSignal.timeout(20_000));
    expect(received).toEqual([{ subject: '[FIRING:1] TlsCheck', secure: true }]);
  });

  it('refuses a server whose certificate it cannot verify', async () => {
    const integ = emailIntegration(
      {
        to: 'a@example.test',
        from: 'p@example.test',
        smarthost: `127.0.0.1:${port}`,
        require_tls: true,
        send_resolved: false,
      },
      0,
      { global },
    );
    await expect(integ.notify(data, AbortSignal.timeout(20_000))).rejects.toThrow(/certificate/i);
    expect(received).toHaveLength(1);
  });
});
