import { Logger } from '@nestjs/common';

import { AppConfig, FixedClock, loadConfig } from '@app/config';
import { generateMasterKey, hashToken, MasterKeyCipher } from '@app/crypto';
import { OtpChallengeRecord, OtpChallengeRepository, RateLimitRepository } from '@app/persistence';

import { caught, mockOf } from '../../../test/mocks';
import { DevelopmentOtpSender } from './development-otp.sender';
import { OtpChallengeService } from './otp-challenge.service';
import { OtpChannel } from './otp-channel';
import { OtpMessage } from './otp-message';
import { SmsOtpSender } from './sms-otp.sender';
import { SmtpOtpSender } from './smtp-otp.sender';

const CLIENT_ID = '6b1d3f0e-2a4c-4e8f-9b7a-1c2d3e4f5a6b';
const SMS_GRANT = 'http://globalsign.com/iam/sso/oauth2/grant-type/sms-mt-otp';
const SMTP_GRANT = 'http://globalsign.com/iam/sso/oauth2/grant-type/smtp-otp';
const PRODUCTION_ENV = {
  DATABASE_URL: 'postgres://db.example/uas',
  MASTER_KEY: generateMasterKey(),
  SMS_GATEWAY_URL: 'https://sms.example/send?to={mobile}&text={challenge}',
  SMTP_URL: 'smtp://mail.example:25',
};

describe(OtpChallengeService.name, () => {
  const now = new Date('2030-01-01T12:00:00Z');
  let clock: FixedClock;
  let challenges: jest.Mocked<OtpChallengeRepository>;
  let rateLimits: jest.Mocked<RateLimitRepository>;
  let sms: jest.Mocked<SmsOtpSender>;
  let smtp: jest.Mocked<SmtpOtpSender>;
  let development: jest.Mocked<DevelopmentOtpSender>;
  let stored: OtpChallengeRecord[];
  let sent: OtpMessage[];

  function makeSut(config: AppConfig = loadConfig(PRODUCTION_ENV)): OtpChallengeService {
    sms.isConfigured.mockReturnValue(config.sms.gatewayUrl !== null);
    smtp.isConfigured.mockReturnValue(config.smtp.url !== null);
    return new OtpChallengeService(
      config,
      clock,
      challenges,
      rateLimits,
      sms,
      smtp,
      development,
      new MasterKeyCipher(generateMasterKey()),
    );
  }

  beforeEach(() => {
    clock = new FixedClock(now);
    challenges = mockOf<OtpChallengeRepository>();
    rateLimits = mockOf<RateLimitRepository>();
    sms = mockOf<SmsOtpSender>();
    smtp = mockOf<SmtpOtpSender>();
    development = mockOf<DevelopmentOtpSender>();
    stored = [];
    sent = [];
    challenges.create.mockImplementation(async (record) => {
      stored.push(record);
    });
    rateLimits.hitIfBelow.mockResolvedValue({ count: 1, windowStart: now, admitted: true });
    sms.send.mockImplementation(async (message) => {
      sent.push(message);
    });
    smtp.send.mockImplementation(async (message) => {
      sent.push(message);
    });
  });

  describe('initiate', () => {
    it('texts an OTP of OTP_LENGTH digits to the MSISDN with its + and stores only hashes', async () => {
      const sut = makeSut();

      const { reference } = await sut.initiate({
        channel: OtpChannel.Sms,
        clientId: CLIENT_ID,
        grantType: SMS_GRANT,
        username: '+358 40 123 4567',
      });

      expect(sent).toEqual([
        {
          recipient: '+358401234567',
          title: 'Your one-time password',
          body: expect.stringMatching(/^Your one-time password is \d{8}$/),
        },
      ]);
      const code = sent[0].body.slice(-8);
      expect(reference).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(stored).toEqual([
        {
          id: expect.any(String),
          referenceHash: hashToken(reference),
          clientId: CLIENT_ID,
          grantType: SMS_GRANT,
          username: '+358401234567',
          usernameKey: '358401234567',
          codeHash: expect.any(Buffer),
          createdAt: now,
          expiresAt: new Date(now.getTime() + 300_000),
        },
      ]);
      expect(stored[0].codeHash).toHaveLength(32);
      expect(stored[0].codeHash.equals(hashToken(code))).toBe(false);
      expect(JSON.stringify(stored[0])).not.toContain(code);
    });

    it('mails the client title and body with the OTP in place of {0}', async () => {
      const sut = makeSut();

      await sut.initiate({
        channel: OtpChannel.Email,
        clientId: CLIENT_ID,
        grantType: SMTP_GRANT,
        username: 'Alice@Example.com',
        title: 'Sign in',
        body: 'Your code: {0}',
      });

      expect(smtp.send).toHaveBeenCalledTimes(1);
      expect(sms.send).not.toHaveBeenCalled();
      expect(sent).toEqual([
        {
          recipient: 'alice@example.com',
          title: 'Sign in',
          body: expect.stringMatching(/^Your code: \d{8}$/),
        },
      ]);
    });

    it('honours OTP_LENGTH and OTP_TTL_SECONDS', async () => {
      const sut = makeSut(
        loadConfig({ ...PRODUCTION_ENV, OTP_LENGTH: '6', OTP_TTL_SECONDS: '60' }),
      );

      await sut.initiate({
        channel: OtpChannel.Sms,
        clientId: CLIENT_ID,
        grantType: SMS_GRANT,
        username: '358401234567',
      });

      expect(sent[0].body).toMatch(/ \d{6}$/);
      expect(stored[0].expiresAt).toEqual(new Date(now.getTime() + 60_000));
    });

    it.each(['00358401234567', '+358401234567', '358401234567'])(
      "counts the send to %p by the number's digits against OTP_SENDS_PER_HOUR",
      async (username) => {
        const sut = makeSut(loadConfig({ ...PRODUCTION_ENV, OTP_SENDS_PER_HOUR: '3' }));

        await sut.initiate({
          channel: OtpChannel.Sms,
          clientId: CLIENT_ID,
          grantType: SMS_GRANT,
          username,
        });

        expect(rateLimits.hitIfBelow).toHaveBeenCalledWith('otp_sends:358401234567', 3, 3600, now);
        expect(sent[0].recipient).toBe(username);
      },
    );

    it('answers 429 with the seconds left in the window, and sends and stores nothing, past the limit', async () => {
      const sut = makeSut();
      rateLimits.hitIfBelow.mockResolvedValue({
        count: 5,
        windowStart: new Date(now.getTime() - 600_500),
        admitted: false,
      });

      const error = await caught(
        sut.initiate({
          channel: OtpChannel.Sms,
          clientId: CLIENT_ID,
          grantType: SMS_GRANT,
          username: '358401234567',
        }),
      );

      expect([error.code, error.status, error.options.retryAfterSeconds]).toEqual([
        'slow_down',
        429,
        3000,
      ]);
      expect(sms.send).not.toHaveBeenCalled();
      expect(challenges.create).not.toHaveBeenCalled();
    });

    it('answers 503 temporarily_unavailable, stores nothing and logs no OTP when the send fails', async () => {
      const sut = makeSut();
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      sms.send.mockImplementation(async (message) => {
        sent.push(message);
        throw new Error('the SMS gateway answered HTTP 500');
      });

      const error = await caught(
        sut.initiate({
          channel: OtpChannel.Sms,
          clientId: CLIENT_ID,
          grantType: SMS_GRANT,
          username: '358401234567',
        }),
      );

      expect([error.code, error.status]).toEqual(['temporarily_unavailable', 503]);
      expect(challenges.create).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(JSON.stringify([warn.mock.calls, error.options])).not.toContain(
        sent[0].body.slice(-8),
      );
      warn.mockRestore();
    });

    it("logs an SMTP refusal by its codes, not by the server's reply, which names the recipient", async () => {
      const sut = makeSut();
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      // What nodemailer rejects with when the server refuses the recipient.
      const refusal = Object.assign(
        new Error(
          "Can't send mail - all recipients were rejected: 550 5.1.1 <alice@example.com>: Recipient address rejected",
        ),
        { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' },
      );
      smtp.send.mockRejectedValue(refusal);

      const error = await caught(
        sut.initiate({
          channel: OtpChannel.Email,
          clientId: CLIENT_ID,
          grantType: SMTP_GRANT,
          username: 'alice@example.com',
        }),
      );

      expect([error.code, error.status]).toEqual(['temporarily_unavailable', 503]);
      expect(warn).toHaveBeenCalledWith(
        'OTP email delivery failed: Error: EENVELOPE: 550: RCPT TO',
      );
      expect(JSON.stringify([warn.mock.calls, error.options])).not.toContain('alice');
      warn.mockRestore();
    });

    it('refuses a username of the wrong kind before counting or sending', async () => {
      const sut = makeSut();

      const error = await caught(
        sut.initiate({
          channel: OtpChannel.Sms,
          clientId: CLIENT_ID,
          grantType: SMS_GRANT,
          username: 'alice@example.com',
        }),
      );

      expect(error.code).toBe('invalid_request');
      expect(rateLimits.hitIfBelow).not.toHaveBeenCalled();
    });

    it('refuses a title with a line break before counting or sending', async () => {
      const sut = makeSut();

      const error = await caught(
        sut.initiate({
          channel: OtpChannel.Email,
          clientId: CLIENT_ID,
          grantType: SMTP_GRANT,
          username: 'alice@example.com',
          title: 'Code\r\nBcc: mallory@example.com',
        }),
      );

      expect(error.code).toBe('invalid_request');
      expect(rateLimits.hitIfBelow).not.toHaveBeenCalled();
      expect(smtp.send).not.toHaveBeenCalled();
    });
  });

  describe('availability', () => {
    it('offers a channel only when its sender is configured, outside embedded mode', () => {
      const sut = makeSut(loadConfig({ ...PRODUCTION_ENV, SMTP_URL: '' }));

      expect(sut.isAvailable(OtpChannel.Sms)).toBe(true);
      expect(sut.isAvailable(OtpChannel.Email)).toBe(false);
    });

    it('can send a second factor only to a recipient the grants would send to, on a set-up channel', () => {
      const sut = makeSut(loadConfig({ ...PRODUCTION_ENV, SMTP_URL: '' }));

      expect(sut.canSendSecondFactor(OtpChannel.Sms, '+358 40 123 4567')).toBe(true);
      expect(sut.canSendSecondFactor(OtpChannel.Sms, '12345')).toBe(false);
      expect(sut.canSendSecondFactor(OtpChannel.Sms, 'tel:+358401234567')).toBe(false);
      // A valid address, but no SMTP server.
      expect(sut.canSendSecondFactor(OtpChannel.Email, 'ann@example.com')).toBe(false);
      const withMail = makeSut();
      expect(withMail.canSendSecondFactor(OtpChannel.Email, 'Ann@Example.com')).toBe(true);
      expect(withMail.canSendSecondFactor(OtpChannel.Email, '"ann smith"@example.com')).toBe(false);
    });

    it('offers both channels in embedded development mode and logs instead of sending', async () => {
      const sut = makeSut(loadConfig({ DATA_DIR: '/nonexistent' }));
      development.send.mockResolvedValue(undefined);

      await sut.initiate({
        channel: OtpChannel.Email,
        clientId: CLIENT_ID,
        grantType: SMTP_GRANT,
        username: 'alice@example.com',
      });

      expect(sut.isAvailable(OtpChannel.Sms)).toBe(true);
      expect(development.send).toHaveBeenCalledWith(
        OtpChannel.Email,
        expect.objectContaining({ recipient: 'alice@example.com' }),
      );
      expect(smtp.send).not.toHaveBeenCalled();
    });

    it('uses the real sender in embedded mode when it is configured', async () => {
      const sut = makeSut(loadConfig({ SMS_GATEWAY_URL: PRODUCTION_ENV.SMS_GATEWAY_URL }));

      await sut.initiate({
        channel: OtpChannel.Sms,
        clientId: CLIENT_ID,
        grantType: SMS_GRANT,
        username: '358401234567',
      });

      expect(sms.send).toHaveBeenCalledTimes(1);
      expect(development.send).not.toHaveBeenCalled();
    });
  });

  describe('validate', () => {
    let sut: OtpChallengeService;
    let reference: string;
    let code: string;

    beforeEach(async () => {
      sut = makeSut();
      ({ reference } = await sut.initiate({
        channel: OtpChannel.Sms,
        clientId: CLIENT_ID,
        grantType: SMS_GRANT,
        username: '358401234567',
      }));
      code = sent[0].body.slice(-8);
      clock.advance(30);
      challenges.consume.mockResolvedValue(stored[0]);
    });

    const validate = (overrides: Partial<Parameters<OtpChallengeService['validate']>[0]> = {}) =>
      sut.validate({
        channel: OtpChannel.Sms,
        clientId: CLIENT_ID,
        grantType: SMS_GRANT,
        reference,
        code,
        username: undefined,
        ...overrides,
      });

    it('consumes the reference for this client and grant type and returns the username for the right code', async () => {
      const result = await validate();

      expect(result).toEqual({ username: '358401234567' });
      expect(challenges.consume).toHaveBeenCalledWith(
        hashToken(reference),
        CLIENT_ID,
        SMS_GRANT,
        clock.now(),
      );
    });

    it('accepts the username with separators', async () => {
      expect(await validate({ username: '358 40 123 4567' })).toEqual({ username: '358401234567' });
    });

    it('refuses the number spelt with a + it was not sent with (the sub would differ)', async () => {
      const error = await caught(validate({ username: '+358401234567' }));

      expect(error.code).toBe('invalid_grant');
    });

    it('refuses a wrong code with invalid_grant', async () => {
      const wrong = code === '00000000' ? '00000001' : '00000000';

      const error = await caught(validate({ code: wrong }));

      expect(error.code).toBe('invalid_grant');
    });

    it('refuses another username with invalid_grant', async () => {
      const error = await caught(validate({ username: '358401234568' }));

      expect(error.code).toBe('invalid_grant');
    });

    it('refuses a reference the repository does not hand out (unknown, used, expired, foreign)', async () => {
      challenges.consume.mockResolvedValue(null);

      const error = await caught(validate());

      expect(error.code).toBe('invalid_grant');
    });

    it('binds the code hash to its challenge: the same code under another challenge fails', async () => {
      challenges.consume.mockResolvedValue({
        ...stored[0],
        id: '0e7c4a53-0b8d-4f5e-9e3a-2d1c0b9a8f7e',
      });

      const error = await caught(validate());

      expect(error.code).toBe('invalid_grant');
    });

    it('asks for a missing code with invalid_request, without consuming the reference', async () => {
      const error = await caught(validate({ code: undefined }));

      expect(error.code).toBe('invalid_request');
      expect(challenges.consume).not.toHaveBeenCalled();
    });
  });
});
