import { create } from 'qrcode';

import { qrCodeDataUri } from './qr-code';

describe('qrCodeDataUri', () => {
  const text = 'otpauth://totp/idp.example:alice?secret=JBSWY3DPEHPK3PXP&issuer=idp.example';

  it('draws each dark module of the symbol at its row and column, inside a four-module margin', () => {
    const { modules } = create(text, { errorCorrectionLevel: 'M' });

    const svg = Buffer.from(qrCodeDataUri(text).split(',')[1], 'base64').toString('utf8');

    const drawn = new Set([...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
    const expected = new Set<string>();
    modules.data.forEach((dark, index) => {
      const row = Math.floor(index / modules.size);
      const column = index % modules.size;
      if (dark) expected.add(`${column + 4},${row + 4}`);
    });
    expect(drawn).toEqual(expected);
    expect(svg).toContain(`viewBox="0 0 ${modules.size + 8} ${modules.size + 8}"`);
  });

  it('is an SVG image in a data URI, which the pages may load (img-src data:)', () => {
    expect(qrCodeDataUri(text)).toMatch(/^data:image\/svg\+xml;base64,/);
  });
});
