// The in-process SMTP and webhook receivers record what real clients send, and simulate outages and refusals.
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

describe('smtp receiver', () => {
  let smtp: SmtpReceiver;
  afterEach(() => smtp.close());

  const send = (subject: string, auth?: { user: string; pass: string }) =>
    nodemailer
      .createTransport({
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        ignoreTLS: true,
        auth,
        connectionTimeout: 2000,
      })
      .sendMail({
        from: 'pharos@example.test',
        to: ['oncall@example.test', 'team@example.test'],
        subject,
        text: 'disk is full',
      });

  it('records envelope, headers and body of a mail sent by nodemailer', async () => {
    smtp = await startSmtpReceiver();
    await send('[FIRING] DiskFull');
    const [mail] = await smtp.waitForMessages(1);
    expect(mail).toMatchObject({
      from: 'pharos@example.test',
      to: ['oncall@example.test', 'team@example.test'],
      subject: '[FIRING] DiskFull',
      user: undefined,
    });
    expect(mail?.text.trim()).toBe('disk is full');
    expect(mail?.raw).toContain('Subject: [FIRING] DiskFull');
  });

  it('requires the configured credentials', async () => {
    smtp = await startSmtpReceiver({ auth: { user: 'pharos', pass: 's3cret' } });
    await expect(send('denied', { user: 'pharos', pass: 'wrong' })).rejects.toThrow(/535|Invalid/);
    await send('allowed', { user: 'pharos', pass: 's3cret' });
    expect((await smtp.waitForMessages(1))[0]).toMatchObject({ subject: 'allowed', user: 'pharos' });
  });

  it('goes down and comes back on the same port, and refuses on demand', async () => {
    smtp = await startSmtpReceiver();
    const port = smtp.port;
    await smtp.stop();
    await expect(send('lost')).rejects.toThrow(/ECONNREFUSED/);
    await smtp.start();
    expect(smtp.port).toBe(port);
    smtp.failNext(1, 451);
    await expect(send('refused')).rejects.toThrow(/451/);
    await send('delivered');
    expect((await smtp.waitForMessages(1)).map((m) => m.subject)).toEqual(['delivered']);
  });
});

describe('webhook receiver', () => {
  let webhook: WebhookReceiver;
  afterEach(() => webhook.close());

  it('records headers and body, fails on demand, and survives an outage', async () => {
    webhook = await startWebhookReceiver();
    const post = (body: unknown) =>
      fetch(`${webhook.url}/hook?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer t0ken' },
        body: JSON.stringify(body),
      });
    expect((await post({ n: 1 })).status).toBe(200);
    webhook.failNext(1, 500);
    expect((await post({ n: 2 })).status).toBe(500);
    await webhook.stop();
    await expect(post({ n: 3 })).rejects.toThrow();
    await webhook.start();
    expect((await post({ n: 4 })).status).toBe(200);

    const requests = await webhook.waitForRequests(3);
    expect(requests.map((r) => r.json)).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
    expect(requests[0]).toMatchObject({ method: 'POST', url: '/hook?x=1', body: '{"n":1}' });
    expect(requests[0]?.headers.authorization).toBe('Bearer t0ken');
  });
});
