import { parseForm } from './form';

/** What URLSearchParams (WHATWG URL §5.1) reads, with the same repeat and count rules. */
function reference(text: string): Record<string, string | string[]> {
  const form = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = form[name];
    form[name] =
      seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return form;
}

describe(parseForm.name, () => {
  it.each([
    ['plain pairs', 'grant_type=client_credentials&scope=openid'],
    [
      'plus as space and percent escapes',
      'scope=openid+profile&redirect_uri=https%3A%2F%2Fa.example%2Fcb%3Fx%3D1',
    ],
    ['UTF-8 escapes', 'name=%C3%A4%E2%82%AC%F0%9F%98%80'],
    ['raw non-ASCII', 'name=äö€'],
    ['a name without a value, and without =', 'a=&b&c=1'],
    ['an empty name', '=x&y=1'],
    ['empty pairs', '&&a=1&&b=2&'],
    ['a repeated name', 'grant_type=a&grant_type=b&grant_type=c'],
    ['= inside a value', 'token=a=b==c'],
    ['a malformed percent sequence', 'a=%zz&b=%4&c=%'],
    ['an escape that is no UTF-8', 'a=%C3%28&b=%FF'],
    ['an escaped separator', 'a=1%262&b%3Dc=3'],
    ['a leading question mark', '?a=1&b=2'],
    ['an empty body', ''],
    ['__proto__ and constructor names', '__proto__=x&constructor=y&toString=z'],
    ['exactly 100 parameters', Array.from({ length: 100 }, (_, i) => `p${i}=${i}`).join('&')],
  ])('reads %s as URLSearchParams does', (_name, text) => {
    const parsed = parseForm(Buffer.from(text, 'utf8'));
    expect(Object.entries(parsed)).toEqual(Object.entries(reference(text)));
    // No inherited members: a name like __proto__ is an own key like any other.
    expect(Object.getPrototypeOf(parsed)).toBeNull();
  });

  it.each([
    ['a plain form', (i: number) => `p${i}=${i}`],
    ['one that needs the fallback reader', (i: number) => `p${i}=%zz`],
  ])('refuses more than 100 parameters in %s, rather than reading the first 100', (_name, pair) => {
    // A repeat beyond a cut would go unseen: grant_type=a … grant_type=b.
    const text = [
      'grant_type=a',
      ...Array.from({ length: 100 }, (_, i) => pair(i)),
      'grant_type=b',
    ].join('&');
    expect(() => parseForm(Buffer.from(text))).toThrow(
      expect.objectContaining({ code: 'payload_too_large', status: 413 }),
    );
  });
});
