import { FilterParser } from 'ldapts';

import { escapeFilterValue, fillFilter } from './ldap-filter';

describe(escapeFilterValue.name, () => {
  it.each([
    ['*', '\\2a'],
    ['(', '\\28'],
    [')', '\\29'],
    ['\\', '\\5c'],
    ['\0', '\\00'],
  ])('escapes %j as %s (RFC 4515 §3)', (raw, escaped) => {
    expect(escapeFilterValue(`a${raw}b`)).toBe(`a${escaped}b`);
  });

  it('leaves other characters, UTF-8 included, as they are', () => {
    expect(escapeFilterValue('Åsa Öberg-ło.ś@example.test')).toBe('Åsa Öberg-ło.ś@example.test');
  });
});

describe(fillFilter.name, () => {
  it('replaces every placeholder with the escaped value', () => {
    expect(fillFilter('(|(uid={username})(mail={username}))', 'username', 'a*')).toBe(
      '(|(uid=a\\2a)(mail=a\\2a))',
    );
  });

  it.each(['*', 'alice)(uid=*', 'x)(|(uid=*', '*)(objectClass=*))(|(uid=*', 'a\\', 'a\0b'])(
    'keeps %j one equality assertion of the whole value',
    (username) => {
      const filter = FilterParser.parseString(fillFilter('(uid={username})', 'username', username));

      expect(filter.constructor.name).toBe('EqualityFilter');
      expect((filter as unknown as { value: string }).value).toBe(username);
    },
  );
});
