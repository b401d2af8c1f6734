import { formatObjectGuid } from './object-guid';

describe(formatObjectGuid.name, () => {
  it('writes the first three fields little-endian, as Active Directory shows a GUID', () => {
    // The GUID {0ff1ce00-1234-5678-9abc-def012345678} as AD stores it.
    const stored = Buffer.from('00cef10f34127856' + '9abcdef012345678', 'hex');

    expect(formatObjectGuid(stored)).toBe('0ff1ce00-1234-5678-9abc-def012345678');
  });

  it('refuses anything but 16 octets', () => {
    expect(() => formatObjectGuid(Buffer.alloc(15))).toThrow(RangeError);
  });
});
