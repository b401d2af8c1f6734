import { Client as PgClient } from 'pg';
import request from 'supertest';

import { postFormFrom, RawResponse } from '../setup/from-address';
import { admin, adminCreateClient, basic, decodeJwt } from '../setup/oauth';
import { SERVICE_DN_RDN, SERVICE_PASSWORD, Slapd } from '../setup/slapd';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

const SUFFIX = 'dc=corp,dc=test';

/**
 * The Active Directory attributes the mapping relies on, with AD's own OIDs (MS-ADA1/MS-ADA3),
 * given matching rules so slapd can search them: sAMAccountName, userPrincipalName, memberOf
 * (DNs of the user's groups) and objectGUID (16 octets, binary), and AD's `user` class.
 */
const AD_SCHEMA = `
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.102 NAME 'memberOf'
  EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID'
  EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.5.9 NAME 'user' SUP inetOrgPerson STRUCTURAL
  MAY ( sAMAccountName $ userPrincipalName $ memberOf $ objectGUID ) )
`;

// {0ff1ce00-1234-5678-9abc-def012345678} as Active Directory stores it (first three fields little-endian).
const GUID = '0ff1ce00-1234-5678-9abc-def012345678';
const GUID_OCTETS = Buffer.from('00cef10f341278569abcdef012345678', 'hex');

const LDIF = `
dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: Corp
dc: corp

dn: ${SERVICE_DN_RDN},${SUFFIX}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: uas-service
userPassword: ${SERVICE_PASSWORD}

dn: ou=Users,${SUFFIX}
objectClass: organizationalUnit
ou: Users

dn: ou=Groups,${SUFFIX}
objectClass: organizationalUnit
ou: Groups

dn: cn=VPN Users,ou=Groups,${SUFFIX}
objectClass: groupOfNames
cn: VPN Users
member: cn=Dana Scully,ou=Users,${SUFFIX}

dn: ou=Finance,ou=Groups,${SUFFIX}
objectClass: organizationalUnit
objectClass: extensibleObject
ou: Finance
cn: Finance Team

dn: cn=Dana Scully,ou=Users,${SUFFIX}
objectClass: user
cn: Dana Scully
givenName: Dana
sn: Scully
mail: dana.scully@corp.test
sAMAccountName: dscully
userPrincipalName: dana.scully@corp.test
objectGUID:: ${GUID_OCTETS.toString('base64')}
memberOf: cn=VPN Users,ou=Groups,${SUFFIX}
memberOf: ou=Finance,ou=Groups,${SUFFIX}
userPassword: dana-password
`;

/** An Active-Directory-style schema: sAMAccountName / userPrincipalName sign-in, memberOf groups, objectGUID id. */
describe('Active Directory style directory', () => {
  let slapd: Slapd;
  let db: TestDatabase;
  let server: TestServer;
  let auth: string;

  beforeAll(async () => {
    slapd = await Slapd.start({ suffix: SUFFIX, ldif: LDIF, schemas: [AD_SCHEMA] });
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const client = await adminCreateClient(server, {
      client_name: 'ad',
      redirect_uris: ['https://app.example.com/cb'],
      grant_types: ['password'],
    });
    auth = basic(client.client_id, client.client_secret!);
    const created = await admin(server).post('/admin/v1/directories', {
      name: 'corp-ad',
      url: slapd.url,
      bind_dn: `${SERVICE_DN_RDN},${SUFFIX}`,
      bind_password: SERVICE_PASSWORD,
      user_base_dn: `ou=Users,${SUFFIX}`,
      user_filter:
        '(&(objectClass=user)(|(sAMAccountName={username})(userPrincipalName={username})))',
      attributes: {
        id: 'objectGUID',
        username: 'sAMAccountName',
        email: 'userPrincipalName',
        name: 'cn',
        given_name: 'givenName',
        family_name: 'sn',
      },
      member_of_attribute: 'memberOf',
      group_name_attribute: 'cn',
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    await slapd?.stop();
  });

  const passwordGrant = (username: string, password: string) =>
    postFormFrom(
      '127.0.0.1',
      server.origin,
      '/uas/oauth2/token',
      { grant_type: 'password', username, password, scope: 'openid profile email' },
      { Authorization: auth },
    );
  const json = (res: RawResponse) => JSON.parse(res.text) as Record<string, unknown>;

  it('signs in by sAMAccountName and by userPrincipalName as one user', async () => {
    const bySam = await passwordGrant('dscully', 'dana-password');
    const byUpn = await passwordGrant('Dana.Scully@corp.test', 'dana-password');

    expect(bySam.status).toBe(200);
    expect(byUpn.status).toBe(200);
    const sub = decodeJwt(json(bySam).id_token as string).payload.sub;
    expect(decodeJwt(json(byUpn).id_token as string).payload.sub).toBe(sub);
    const userinfo = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${json(byUpn).access_token as string}`);
    expect(userinfo.body).toMatchObject({
      sub,
      email: 'dana.scully@corp.test',
      name: 'Dana Scully',
      given_name: 'Dana',
      family_name: 'Scully',
    });
    const user = (await admin(server).get(`/admin/v1/users/${sub as string}`)).body;
    expect(user.username).toBe('dscully');
  });

  it('links the user by objectGUID in canonical form, and names memberOf groups by CN or by lookup', async () => {
    await passwordGrant('dscully', 'dana-password');

    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    const { rows } = await pg.query('SELECT external_id, dn, groups FROM directory_accounts');
    await pg.end();
    expect(rows).toEqual([
      {
        external_id: GUID,
        dn: `cn=Dana Scully,ou=Users,${SUFFIX}`,
        groups: ['Finance Team', 'VPN Users'],
      },
    ]);
  });

  it('refuses a wrong password', async () => {
    const res = await passwordGrant('dscully', 'not-danas-password');

    expect(res.status).toBe(400);
    expect(json(res)).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  });
});
