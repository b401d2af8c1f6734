import { claimsOf, externalIdOf, firstRdnValue, LdapEntry, textOf } from './directory-entry';

const entry: LdapEntry = {
  dn: 'uid=alice,ou=people,dc=example,dc=test',
  entryUUID: 'ED5448BC-85AB-1041-9321-9FD68E580577',
  uid: 'alice',
  mail: ['alice@example.test', 'a@example.test'],
  givenName: 'Alice',
  objectGUID: Buffer.from('00cef10f341278569abcdef012345678', 'hex'),
};

describe('directory entry mapping', () => {
  it('reads attributes whatever their case (RFC 4512 §2.5)', () => {
    expect(textOf(entry, 'MAIL')).toBe('alice@example.test');
  });

  it('takes entryUUID in its lower-case canonical form', () => {
    expect(externalIdOf(entry, 'entryuuid')).toBe('ed5448bc-85ab-1041-9321-9fd68e580577');
  });

  it('takes a binary objectGUID in its canonical GUID form', () => {
    expect(externalIdOf(entry, 'objectGUID')).toBe('0ff1ce00-1234-5678-9abc-def012345678');
  });

  it('has no id for an entry without the attribute', () => {
    expect(externalIdOf(entry, 'nsUniqueId')).toBeNull();
  });

  it('maps the configured claims and removes those the entry lacks', () => {
    const claims = claimsOf(entry, {
      id: 'entryUUID',
      username: 'uid',
      email: 'mail',
      given_name: 'givenName',
      family_name: 'sn',
    });

    expect(claims).toEqual({ email: 'alice@example.test', given_name: 'Alice', family_name: null });
  });

  it.each([
    ['cn=Staff,ou=groups,dc=example,dc=test', 'cn', 'Staff'],
    ['CN=Domain Users,CN=Users,DC=corp,DC=test', 'cn', 'Domain Users'],
    ['cn=R\\2cD\\, Lab,ou=groups', 'cn', 'R,D, Lab'],
    ['cn=Caf\\c3\\a9,ou=groups', 'cn', 'Café'],
    ['ou=Staff,dc=example', 'cn', null],
    ['cn=a+sn=b,dc=example', 'cn', null],
  ])('reads the group name of %s', (dn, attribute, name) => {
    expect(firstRdnValue(dn, attribute)).toBe(name);
  });
});
