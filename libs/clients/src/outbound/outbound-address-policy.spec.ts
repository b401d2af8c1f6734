import { deniedAddressReason, deniedHostReason } from './outbound-address-policy';

describe('outbound address policy', () => {
  describe(deniedAddressReason.name, () => {
    it.each([
      '169.254.169.254',
      '169.254.0.1',
      '0.0.0.0',
      '0.1.2.3',
      '100.100.100.200',
      'fe80::1',
      'febf::1',
      'fd00:ec2::254',
      '::',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '::ffff:0.0.0.0',
      '64:ff9b::169.254.169.254',
    ])('always refuses %s', (address) => {
      expect(deniedAddressReason(address, false)).toMatch(/link-local|metadata|unspecified/);
    });

    it.each([
      '127.0.0.1',
      '127.255.0.9',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '::1',
      'fc00::1',
      'fd12:3456::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ])('allows %s by default and refuses it with OUTBOUND_DENY_PRIVATE', (address) => {
      expect(deniedAddressReason(address, false)).toBeNull();
      expect(deniedAddressReason(address, true)).toMatch(/OUTBOUND_DENY_PRIVATE/);
    });

    it.each([
      '203.0.113.7',
      '8.8.8.8',
      '172.32.0.1',
      '169.253.255.255',
      '100.128.0.1',
      '2001:db8::1',
      'fec0::1',
    ])('allows the public address %s even with OUTBOUND_DENY_PRIVATE', (address) => {
      expect(deniedAddressReason(address, true)).toBeNull();
    });

    it('refuses what is not an IP address', () => {
      expect(deniedAddressReason('example.com', false)).toBe('not an IP address');
    });
  });

  describe(deniedHostReason.name, () => {
    it.each(['metadata.google.internal', 'METADATA.google.internal.', 'metadata', 'instance-data'])(
      'refuses the metadata host name %s',
      (host) => {
        expect(deniedHostReason(host, false)).toMatch(/metadata/);
      },
    );

    it('refuses a bracketed IPv6 literal in the always-refused ranges', () => {
      expect(deniedHostReason('[fe80::1]', false)).toMatch(/link-local/);
    });

    it('leaves other names to the lookup', () => {
      expect(deniedHostReason('jwks.example.com', true)).toBeNull();
    });
  });
});
