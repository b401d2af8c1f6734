import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

import { Logger } from '@nestjs/common';

import { loadConfig } from '@app/config';

import { SmsOtpSender } from './sms-otp.sender';

interface Received {
  url: string;
  authorization: string | undefined;
}

describe(SmsOtpSender.name, () => {
  let gateway: Server;
  let origin: string;
  let received: Received[];
  let answer: (res: ServerResponse) => void;

  beforeAll(async () => {
    gateway = createServer((req: IncomingMessage, res: ServerResponse) => {
      received.push({ url: req.url ?? '', authorization: req.headers.authorization });
      answer(res);
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    gateway.closeAllConnections();
    await new Promise((resolve) => gateway.close(resolve));
  });

  beforeEach(() => {
    received = [];
    answer = (res) => res.writeHead(200).end('OK');
  });

  const senderFor = (template: string) =>
    new SmsOtpSender(loadConfig({ SMS_GATEWAY_URL: template }));
  const message = { recipient: '358401234567', title: 'unused', body: 'Code 12345678 & more=ä/?#' };

  it('GETs the template with {mobile} and {challenge} URL-encoded', async () => {
    await senderFor(`${origin}/send?to={mobile}&text={challenge}&from=uas`).send(message);

    expect(received).toEqual([
      {
        url: `/send?to=358401234567&text=${encodeURIComponent(message.body)}&from=uas`,
        authorization: undefined,
      },
    ]);
    expect(new URL(received[0].url, origin).searchParams.get('text')).toBe(message.body);
  });

  it('sends the E.164 + of {mobile} as %2B, so the gateway does not read it as a space', async () => {
    await senderFor(`${origin}/send?to={mobile}&text={challenge}`).send({
      ...message,
      recipient: '+358401234567',
    });

    expect(received[0].url).toMatch(/^\/send\?to=%2B358401234567&text=/);
    expect(new URL(received[0].url, origin).searchParams.get('to')).toBe('+358401234567');
  });

  it('turns credentials in the URL into HTTP Basic authentication', async () => {
    const template = `${origin.replace('http://', 'http://user%40x:p%3Ass@')}/send?to={mobile}&text={challenge}`;

    await senderFor(template).send(message);

    expect(received[0].authorization).toBe(
      `Basic ${Buffer.from('user@x:p:ss').toString('base64')}`,
    );
  });

  it.each([201, 204, 302, 400, 500])('counts HTTP %p as not sent', async (status) => {
    answer = (res) => res.writeHead(status, status === 302 ? { location: '/elsewhere' } : {}).end();

    await expect(
      senderFor(`${origin}/send?to={mobile}&text={challenge}`).send(message),
    ).rejects.toThrow(`the SMS gateway answered HTTP ${status}`);
    expect(received).toHaveLength(1);
  });

  it('fails when the gateway cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    await expect(
      senderFor(`http://127.0.0.1:${port}/send?to={mobile}&text={challenge}`).send(message),
    ).rejects.toThrow();
  });

  it('warns at start of an http:// gateway on another host, and not of a loopback one', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      senderFor('http://sms.example.com/send?to={mobile}&text={challenge}');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/^SMS_GATEWAY_URL is http:\/\/ to sms\.example\.com/);
      senderFor(`${origin}/?m={mobile}&c={challenge}`);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('is configured only with SMS_GATEWAY_URL', () => {
    expect(new SmsOtpSender(loadConfig({})).isConfigured()).toBe(false);
    expect(senderFor(`${origin}/?m={mobile}&c={challenge}`).isConfigured()).toBe(true);
  });
});
