import { clientAddressKey } from './client-address';

describe(clientAddressKey.name, () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientAddressKey('192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 form', () => {
    expect(clientAddressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddressKey('::FFFF:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddressKey('::ffff:c000:207')).toBe('192.0.2.7');
    expect(clientAddressKey('0:0:0:0:0:ffff:c000:0207')).toBe('192.0.2.7');
  });

  it('counts every address of one IPv6 /64 under one key, however it is written', () => {
    const key = clientAddressKey('2001:db8:0:1::1');

    expect(key).toBe('2001:db8:0:1::/64');
    expect(clientAddressKey('2001:0DB8:0000:0001:ffff:ffff:ffff:fffe')).toBe(key);
    expect(clientAddressKey('2001:db8::1:0:0:0:2')).toBe(key);
    expect(clientAddressKey('2001:db8:0:2::1')).not.toBe(key);
  });

  it('drops an IPv6 zone index', () => {
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('puts requests without a usable address under one shared key', () => {
    expect(clientAddressKey(undefined)).toBe('unknown');
    expect(clientAddressKey('not an address')).toBe('unknown');
  });
});
