import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Logger } from '@nestjs/common';

import { loadConfig } from '@app/config';

import { DEVELOPMENT_OUTBOX, DevelopmentOtpSender } from './development-otp.sender';
import { OtpChannel } from './otp-channel';

describe(DevelopmentOtpSender.name, () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'uas-dev-otp-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes the whole message to a file of its own, and only where to the log', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const sut = new DevelopmentOtpSender(loadConfig({ DATA_DIR: path.join(dataDir, 'data') }));

    await sut.send(OtpChannel.Sms, {
      recipient: '358401234567',
      title: 'Code',
      body: 'Your code is 12345678',
    });
    await sut.send(OtpChannel.Email, {
      recipient: 'a@example.com',
      title: 'T',
      body: 'B 87654321',
    });

    const file = path.join(dataDir, 'data', DEVELOPMENT_OUTBOX);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        channel: 'sms',
        recipient: '358401234567',
        body: 'Your code is 12345678',
      }),
      expect.objectContaining({ channel: 'email', recipient: 'a@example.com', body: 'B 87654321' }),
    ]);
    expect((await stat(file)).mode & 0o077).toBe(0);
    expect(warn).toHaveBeenCalledWith(
      `DEVELOPMENT ONLY, not delivered: SMS (no SMS_GATEWAY_URL) to 358401234567: written to ${file}`,
    );
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/12345678|87654321/);
    warn.mockRestore();
  });
});
