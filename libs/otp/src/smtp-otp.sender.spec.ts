import { AddressInfo } from 'node:net';

import { Logger } from '@nestjs/common';
import { SMTPServer } from 'smtp-server';

import { loadConfig } from '@app/config';

import { SmtpOtpSender } from './smtp-otp.sender';

interface Received {
  from: string | undefined;
  to: string[];
  raw: string;
}

describe(SmtpOtpSender.name, () => {
  let smtp: SMTPServer;
  let port: number;
  let received: Received[];
  let senders: SmtpOtpSender[];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  beforeEach(() => {
    received = [];
    senders = [];
  });

  afterEach(() => {
    for (const sender of senders) sender.onModuleDestroy();
  });

  function makeSender(env: Record<string, string>): SmtpOtpSender {
    const sender = new SmtpOtpSender(loadConfig(env));
    senders.push(sender);
    return sender;
  }

  it('mails the body from SMTP_FROM to the recipient only, with the title as subject', async () => {
    const sut = makeSender({ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'otp@idp.example' });

    await sut.send({ recipient: 'alice@example.com', title: 'Your code', body: 'Code 12345678' });

    expect(received).toHaveLength(1);
    expect(received[0]).toEqual({
      from: 'otp@idp.example',
      to: ['alice@example.com'],
      raw: expect.any(String),
    });
    const [head, body] = received[0].raw.split('\r\n\r\n');
    expect(head).toMatch(/^Subject: Your code$/m);
    expect(head).toMatch(/^From: otp@idp\.example$/m);
    expect(head).toMatch(/^To: alice@example\.com$/m);
    expect(body.trim()).toBe('Code 12345678');
  });

  it('warns at start of smtp:// to another host, and not of a loopback one', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      makeSender({ SMTP_URL: 'smtp://mail.example.com:25' });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/^SMTP_URL is smtp:\/\/ to mail\.example\.com/);
      makeSender({ SMTP_URL: `smtp://127.0.0.1:${port}` });
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('fails when the SMTP server cannot be reached', async () => {
    const sut = makeSender({ SMTP_URL: 'smtp://127.0.0.1:1' });

    await expect(
      sut.send({ recipient: 'alice@example.com', title: 't', body: 'b' }),
    ).rejects.toThrow();
  });

  it('is configured only with SMTP_URL', () => {
    expect(makeSender({}).isConfigured()).toBe(false);
    expect(makeSender({ SMTP_URL: `smtp://127.0.0.1:${port}` }).isConfigured()).toBe(true);
  });
});
