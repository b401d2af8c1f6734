import { Logger } from '@nestjs/common';

import { DevelopmentOtpSender } from './development-otp.sender';
import { OtpChannel } from './otp-channel';

describe(DevelopmentOtpSender.name, () => {
  it('writes the whole message to the log, marked as development only', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const sut = new DevelopmentOtpSender();

    await sut.send(OtpChannel.Sms, {
      recipient: '358401234567',
      title: 'Code',
      body: 'Your code is 12345678',
    });

    expect(warn).toHaveBeenCalledWith(
      'DEVELOPMENT ONLY, not delivered: SMS (no SMS_GATEWAY_URL) to 358401234567: "Code" "Your code is 12345678"',
    );
    warn.mockRestore();
  });
});
