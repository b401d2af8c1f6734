import { cleartextTransportWarning } from './cleartext-transport';

describe(cleartextTransportWarning.name, () => {
  it.each([
    ['smtp://user:pass@mail.example.com:25', 'mail.example.com'],
    ['smtp://10.0.0.7:587', '10.0.0.7'],
    ['smtp://[2001:db8::1]:25', '[2001:db8::1]'],
  ])('warns of %s', (url, host) => {
    expect(cleartextTransportWarning('SMTP_URL', url)).toBe(
      `SMTP_URL is smtp:// to ${host}, not this machine: one-time passwords and the SMTP credentials cross the network in clear unless the server offers STARTTLS; use smtps://`,
    );
  });

  it.each([
    'smtps://user:pass@mail.example.com:465',
    'smtp://127.0.0.1:2525',
    'smtp://127.8.9.10:25',
    'smtp://localhost:25',
    'smtp://mail.localhost:25',
    'smtp://[::1]:25',
    null,
    '',
  ])('says nothing of %s', (url) => {
    expect(cleartextTransportWarning('SMTP_URL', url)).toBeNull();
  });

  it('warns of an http SMS gateway on another host', () => {
    expect(
      cleartextTransportWarning(
        'SMS_GATEWAY_URL',
        'http://u:p@sms.example.com/send?to={mobile}&text={challenge}',
      ),
    ).toBe(
      'SMS_GATEWAY_URL is http:// to sms.example.com, not this machine: one-time passwords cross the network in clear; use https://',
    );
  });

  it.each([
    'https://sms.example.com/send?to={mobile}&text={challenge}',
    'http://127.0.0.1:8099/send?to={mobile}&text={challenge}',
    'http://localhost/send?to={mobile}',
  ])('says nothing of the SMS gateway %s', (url) => {
    expect(cleartextTransportWarning('SMS_GATEWAY_URL', url)).toBeNull();
  });

  it('leaves a malformed URL to the configuration check', () => {
    expect(cleartextTransportWarning('SMTP_URL', 'not a url')).toBeNull();
  });
});
