import { FixedClock, loadConfig } from '@app/config';
import { OAuthError } from '@app/errors';
import { UsedIdentifierRepository } from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import {
  AssertionOptions,
  buildAssertionXml,
  encodeAssertion,
  makeSamlIssuer,
  makeSignedAssertion,
  SamlTestIssuer,
  signAssertionXml,
  SignOptions,
  XmlDsig,
} from '../../../test/factories/saml-assertion.factory';
import { SamlAssertionVerifier } from './saml-assertion-verifier';
import { SamlIssuer, SamlIssuerService } from './saml-issuer.service';

const ISSUER_URL = 'https://sso.example.com/uas';
const TOKEN_URL = `${ISSUER_URL}/oauth2/token`;
const SIGNATURE = /<ds:Signature[\s\S]*<\/ds:Signature>/;
const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const ROLE_ATTRIBUTE =
  '<saml:Attribute Name="role"><saml:AttributeValue>root</saml:AttributeValue></saml:Attribute>';

/** invalid_grant with the one public description; returns the log detail to check which check fired. */
async function rejectionDetail(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => new Error('expected the assertion to be refused'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  expect((error as OAuthError).code).toBe('invalid_grant');
  expect((error as OAuthError).description).toBe('The assertion is not valid.');
  return (error as OAuthError).options.detail ?? '';
}

describe(SamlAssertionVerifier.name, () => {
  let idp: SamlTestIssuer;
  let attacker: SamlTestIssuer;
  let registered: Map<string, SamlIssuer>;
  let used: Map<string, Date>;
  let claim: jest.Mocked<UsedIdentifierRepository>['claim'];
  let clock: FixedClock;
  let now: Date;
  let sut: SamlAssertionVerifier;

  beforeAll(async () => {
    idp = await makeSamlIssuer('urn:uuid:6f1b7a4e-2d5c-4c1e-9b0a-3f9e8d7c6b5a');
    attacker = await makeSamlIssuer('https://attacker.example.net/idp');
  });

  beforeEach(() => {
    now = new Date('2026-03-01T12:00:00.000Z');
    clock = new FixedClock(now);
    registered = new Map([[idp.entityId, issuerRecord(idp.entityId, [idp.certificatePem])]]);
    used = new Map();
    const usedIdentifiers = mockOf<UsedIdentifierRepository>();
    claim = usedIdentifiers.claim.mockImplementation(async (namespace, value, expiresAt) => {
      const key = `${namespace} ${value}`;
      if (used.has(key)) return false;
      used.set(key, expiresAt);
      return true;
    });
    const issuers = mockOf<SamlIssuerService>();
    issuers.findByEntityId.mockImplementation(async (entityId) => registered.get(entityId) ?? null);
    sut = new SamlAssertionVerifier(
      loadConfig({ ISSUER: ISSUER_URL }),
      clock,
      issuers,
      usedIdentifiers,
    );
  });

  function issuerRecord(entityId: string, certificates: string[]): SamlIssuer {
    return { id: '6b0c2a43-8a57-4a9e-b7f1-2f3d0e6c9a11', entityId, certificates, createdAt: now };
  }

  function options(overrides: Partial<AssertionOptions> = {}): Omit<AssertionOptions, 'issuer'> {
    return { now, audience: ISSUER_URL, recipient: TOKEN_URL, ...overrides };
  }

  function signed(overrides: Partial<AssertionOptions> = {}, sign: SignOptions = {}): string {
    return makeSignedAssertion(idp, options(overrides), sign);
  }

  const verify = (xml: string) => sut.verify(encodeAssertion(xml));

  describe('a valid assertion', () => {
    it('yields the NameID, issuer, ID, expiry, attributes and authentication instant', async () => {
      const xml = signed({
        id: '_a1',
        nameId: 'alice@example.com',
        attributes: { email: ['alice@example.com'], groups: ['staff', 'admins'] },
      });

      const result = await verify(xml);

      expect(result).toEqual({
        subject: 'alice@example.com',
        issuer: idp.entityId,
        assertionId: '_a1',
        notOnOrAfter: new Date(now.getTime() + 300_000),
        attributes: { email: ['alice@example.com'], groups: ['staff', 'admins'] },
        authnInstant: new Date(now.getTime() - 30_000),
      });
    });

    it('remembers the ID per issuer until the assertion expires, skew included', async () => {
      await verify(signed({ id: '_a2' }));

      expect(claim).toHaveBeenCalledWith(
        `saml_assertion:${idp.entityId}`,
        '_a2',
        new Date(now.getTime() + 360_000),
        now,
      );
    });

    it('accepts plain base64 as well as base64url', async () => {
      const xml = signed({ nameId: 'b?>>' });

      const result = await sut.verify(encodeAssertion(xml, 'base64'));

      expect(encodeAssertion(xml, 'base64')).toMatch(/[+/]/);
      expect(result.subject).toBe('b?>>');
    });

    it('accepts the token endpoint as the audience', async () => {
      expect((await verify(signed({ audience: TOKEN_URL }))).subject).toBe('alice@example.com');
    });

    it('accepts a signature by any registered certificate of the issuer (rollover)', async () => {
      registered.set(
        idp.entityId,
        issuerRecord(idp.entityId, [attacker.certificatePem, idp.certificatePem]),
      );

      expect((await verify(signed())).issuer).toBe(idp.entityId);
    });

    it('accepts RSA-SHA512 with SHA-512 digests and exclusive c14n with comments', async () => {
      const xml = signed(
        {},
        {
          signatureAlgorithm: XmlDsig.RsaSha512,
          digestAlgorithm: XmlDsig.Sha512,
          canonicalizationAlgorithm: XmlDsig.ExcC14nWithComments,
          transforms: [XmlDsig.Enveloped, XmlDsig.ExcC14nWithComments],
        },
      );

      expect((await verify(xml)).subject).toBe('alice@example.com');
    });

    it('leaves authnInstant out when there is no AuthnStatement', async () => {
      expect(await verify(signed({ authnInstant: null }))).not.toHaveProperty('authnInstant');
    });
  });

  describe('the assertion parameter', () => {
    it.each([
      ['not base64', 'not base64!'],
      ['mixed alphabets', 'PHNhbWw+-_'],
      ['white space', 'PHNh bWw+'],
      ['bad padding', 'PHNhbWw=='],
      ['padding inside', 'PHN=hbWw'],
      ['non-canonical trailing bits', 'PHNhbWx'],
      ['one character too many', 'PHNhbWw+P'],
    ])('refuses %s', async (_, value) => {
      expect(await rejectionDetail(sut.verify(value))).toMatch(/assertion parameter/);
    });

    it('refuses more than 64 KB', async () => {
      const xml = signed({ attributes: { big: ['x'.repeat(70_000)] } });

      expect(await rejectionDetail(verify(xml))).toMatch(/too large/);
    });

    it('refuses bytes that are not UTF-8', async () => {
      expect(
        await rejectionDetail(
          sut.verify(Buffer.from([0x3c, 0xff, 0xfe, 0x3e]).toString('base64url')),
        ),
      ).toMatch(/UTF-8/);
    });

    it('refuses XML that is not well-formed', async () => {
      expect(await rejectionDetail(verify(signed().replace('</saml:Subject>', '')))).toMatch(
        /well-formed/,
      );
    });
  });

  describe('document structure', () => {
    it('refuses a DOCTYPE', async () => {
      const xml = signed().replace('<saml:Assertion', '<!DOCTYPE saml:Assertion><saml:Assertion');

      expect(await rejectionDetail(verify(xml))).toMatch(/DTD/);
    });

    it('refuses entity expansion (billion laughs)', async () => {
      const dtd =
        '<!DOCTYPE a [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>';
      const xml = dtd + signed({ nameId: 'x' }).replace('>x<', '>&lol3;<');

      expect(await rejectionDetail(verify(xml))).toMatch(/DTD/);
    });

    it('refuses an external entity', async () => {
      const xml =
        '<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
        signed({ nameId: 'x' }).replace('>x<', '>&xxe;<');

      expect(await rejectionDetail(verify(xml))).toMatch(/DTD/);
    });

    it('refuses a reference to an undeclared entity', async () => {
      expect(
        await rejectionDetail(verify(signed({ nameId: 'x' }).replace('>x<', '>&xxe;<'))),
      ).toMatch(/well-formed/);
    });

    it('refuses a document nested deeper than 32 elements', async () => {
      const deep = '<x:e xmlns:x="urn:x">'.repeat(40) + '</x:e>'.repeat(40);
      const xml = signed({ nameId: 'x' }).replace(
        '</saml:Subject>',
        `</saml:Subject><saml:Advice>${deep}</saml:Advice>`,
      );

      expect(await rejectionDetail(verify(xml))).toMatch(/too deep/);
    });

    it('refuses a character XML forbids, even as a character reference', async () => {
      expect(
        await rejectionDetail(verify(signed({ nameId: 'x' }).replace('>x<', '>a&#1;b<'))),
      ).toMatch(/forbidden character/);
    });

    it('refuses a document element that is not a SAML 2.0 Assertion', async () => {
      const xml = signed().replace(/saml:Assertion/g, 'saml:Response');

      expect(await rejectionDetail(verify(xml))).toMatch(/not a saml:Assertion/);
    });

    it('refuses an Assertion in another namespace', async () => {
      const xml = signed().replace(SAML_NS, 'urn:oasis:names:tc:SAML:1.0:assertion');

      expect(await rejectionDetail(verify(xml))).toMatch(/not a saml:Assertion/);
    });
  });

  describe('signature', () => {
    it('refuses an unsigned assertion', async () => {
      const xml = buildAssertionXml({ ...options(), issuer: idp.entityId });

      expect(await rejectionDetail(verify(xml))).toMatch(/unsigned/);
    });

    it('refuses an assertion whose signature was stripped', async () => {
      expect(await rejectionDetail(verify(signed().replace(SIGNATURE, '')))).toMatch(/unsigned/);
    });

    it('refuses an issuer that is not registered', async () => {
      const xml = makeSignedAssertion(attacker, options());

      expect(await rejectionDetail(verify(xml))).toMatch(/issuer not registered/);
    });

    it('refuses a registered issuer name signed with another key (untrusted signer)', async () => {
      const xml = makeSignedAssertion(attacker, { ...options(), issuer: idp.entityId });

      expect(await rejectionDetail(verify(xml))).toMatch(/does not verify/);
    });

    it('never uses the key in KeyInfo', async () => {
      const xml = makeSignedAssertion(
        attacker,
        { ...options(), issuer: idp.entityId },
        {
          keyInfoCertificatePem: attacker.certificatePem,
        },
      );

      expect(xml).toContain('<ds:X509Certificate>');
      expect(await rejectionDetail(verify(xml))).toMatch(/does not verify/);
    });

    it.each([
      ['the NameID', (xml: string) => xml.replace('>alice@example.com<', '>mallory@example.com<')],
      [
        'the audience',
        (xml: string) =>
          xml.replace(`<saml:Audience>${ISSUER_URL}<`, '<saml:Audience>https://other.example<'),
      ],
      ['an attribute value', (xml: string) => xml.replace('>staff<', '>admins<')],
      [
        'an added attribute',
        (xml: string) =>
          xml.replace('</saml:AttributeStatement>', `${ROLE_ATTRIBUTE}</saml:AttributeStatement>`),
      ],
      [
        'the expiry',
        (xml: string) =>
          xml.replaceAll(new Date(now.getTime() + 300_000).toISOString(), '2099-01-01T00:00:00Z'),
      ],
      ['the Issuer', (xml: string) => xml.replace(`>${idp.entityId}<`, `>${idp.entityId} <`)],
    ])('refuses a change to %s after signing', async (_, tamper) => {
      const original = signed({ attributes: { groups: ['staff'] } });
      const tampered = tamper(original);

      expect(tampered).not.toBe(original);
      expect(await rejectionDetail(verify(tampered))).toMatch(
        /does not verify|issuer not registered/,
      );
    });

    it('refuses a signed assertion under a registered issuer whose only certificate has a short key', async () => {
      const weak = await makeSamlIssuer('https://weak.example.org/idp', 1024);
      registered.set(weak.entityId, issuerRecord(weak.entityId, [weak.certificatePem]));

      expect(await rejectionDetail(verify(makeSignedAssertion(weak, options())))).toMatch(
        /does not verify/,
      );
    });
  });

  describe('weak or unexpected algorithms', () => {
    it.each([
      [
        'RSA-SHA1 signature',
        { signatureAlgorithm: XmlDsig.RsaSha1 },
        /signature algorithm not allowed/,
      ],
      ['SHA-1 digest', { digestAlgorithm: XmlDsig.Sha1 }, /digest algorithm not allowed/],
      [
        'inclusive c14n of SignedInfo',
        { canonicalizationAlgorithm: XmlDsig.C14n },
        /canonicalization not allowed/,
      ],
      [
        'inclusive c14n transform',
        { transforms: [XmlDsig.Enveloped, XmlDsig.C14n] },
        /transforms not allowed/,
      ],
      [
        'no enveloped-signature transform',
        { transforms: [XmlDsig.ExcC14n] },
        /transforms not allowed/,
      ],
      [
        'only the enveloped-signature transform',
        { transforms: [XmlDsig.Enveloped] },
        /transforms not allowed/,
      ],
    ])('refuses %s', async (_, sign, detail) => {
      expect(await rejectionDetail(verify(signed({}, sign as SignOptions)))).toMatch(detail);
    });
  });

  describe('signature wrapping', () => {
    it('refuses an unsigned assertion around the signed one, which it carries in Advice', async () => {
      const original = signed({ id: '_orig', nameId: 'alice' });
      const signature = original.match(SIGNATURE)![0];
      const evil = buildAssertionXml({
        ...options({ id: '_evil', nameId: 'mallory' }),
        issuer: idp.entityId,
      }).replace('</saml:Issuer>', `</saml:Issuer>${signature}`);
      const advice = `<saml:Advice>${original.replace(SIGNATURE, '')}</saml:Advice>`;
      const wrapped = evil.replace('</saml:Conditions>', `</saml:Conditions>${advice}`);

      expect(await rejectionDetail(verify(wrapped))).toMatch(/nested assertion/);
    });

    it('refuses an unsigned assertion with the signed one as its sibling in a Response', async () => {
      const original = signed({ id: '_orig', nameId: 'alice' });
      const evil = buildAssertionXml({
        ...options({ id: '_evil', nameId: 'mallory' }),
        issuer: idp.entityId,
      });
      const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${evil}${original}</samlp:Response>`;

      expect(await rejectionDetail(verify(response))).toMatch(/not a saml:Assertion/);
    });

    it('refuses an evil assertion that reuses the signed ID and hides the original in an extension', async () => {
      const original = signed({ id: '_orig', nameId: 'alice' });
      const signature = original.match(SIGNATURE)![0];
      const evil = buildAssertionXml({
        ...options({ id: '_orig', nameId: 'mallory' }),
        issuer: idp.entityId,
      }).replace(
        '</saml:Issuer>',
        `</saml:Issuer>${signature}<x:Ext xmlns:x="urn:x">${original.replace(SIGNATURE, '')}</x:Ext>`,
      );

      expect(await rejectionDetail(verify(evil))).toMatch(/nested assertion/);
    });

    it('refuses a signed assertion with an evil assertion inserted into it', async () => {
      const original = signed({ nameId: 'alice' });
      const evil = buildAssertionXml({
        ...options({ id: '_evil', nameId: 'mallory' }),
        issuer: idp.entityId,
      });

      const injected = original.replace(
        '</saml:Conditions>',
        `</saml:Conditions><saml:Advice>${evil}</saml:Advice>`,
      );

      expect(await rejectionDetail(verify(injected))).toMatch(/nested assertion/);
    });

    it('refuses a signature that covers only part of the assertion', async () => {
      const xml = signed({}, { referenceXpath: "//*[local-name(.)='Subject']" });

      expect(await rejectionDetail(verify(xml))).toMatch(/does not reference the assertion/);
    });

    it('refuses a second signature', async () => {
      const original = signed();
      const signature = original.match(SIGNATURE)![0];

      const twice = original.replace('</saml:Subject>', `</saml:Subject>${signature}`);

      expect(await rejectionDetail(verify(twice))).toMatch(/one enveloped signature/);
    });

    it('refuses a signature that is not a direct child of the assertion', async () => {
      const original = signed();
      const signature = original.match(SIGNATURE)![0];
      const moved = original
        .replace(signature, '')
        .replace('</saml:Subject>', `<x:Ext xmlns:x="urn:x">${signature}</x:Ext></saml:Subject>`);

      expect(await rejectionDetail(verify(moved))).toMatch(/one enveloped signature/);
    });

    it('refuses a Signature carrying an Object', async () => {
      const xml = signed().replace(
        '</ds:Signature>',
        '<ds:Object><saml:Assertion ID="_x"/></ds:Object></ds:Signature>',
      );

      expect(await rejectionDetail(verify(xml))).toMatch(
        /nested assertion|unexpected Signature content/,
      );
    });

    it.each([
      [
        'no CanonicalizationMethod algorithm',
        (xml: string) =>
          xml.replace(/<ds:CanonicalizationMethod [^>]*\/>/, '<ds:CanonicalizationMethod/>'),
      ],
      ['no DigestMethod', (xml: string) => xml.replace(/<ds:DigestMethod [^>]*\/>/, '')],
      [
        'no DigestValue',
        (xml: string) => xml.replace(/<ds:DigestValue>[^<]*<\/ds:DigestValue>/, ''),
      ],
      [
        'no SignatureValue',
        (xml: string) => xml.replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, ''),
      ],
    ])('refuses a Signature with %s as invalid_grant', async (_, breakIt) => {
      const original = signed();
      const broken = breakIt(original);

      expect(broken).not.toBe(original);
      expect(await rejectionDetail(verify(broken))).toMatch(
        /malformed signature|unexpected Signature content|does not verify/,
      );
    });

    it('refuses a Signature carrying an Object without an assertion in it', async () => {
      const xml = signed().replace('</ds:Signature>', '<ds:Object>x</ds:Object></ds:Signature>');

      expect(await rejectionDetail(verify(xml))).toMatch(/unexpected Signature content/);
    });
  });

  describe('NameID', () => {
    it('keeps the whole NameID when a comment splits it after signing', async () => {
      const original = signed({ nameId: 'user@example.com.evil.com' });
      const commented = original.replace(
        '>user@example.com.evil.com<',
        '>user@example.com<!---->.evil.com<',
      );

      expect(commented).not.toBe(original);
      expect((await verify(commented)).subject).toBe('user@example.com.evil.com');
    });

    it('keeps the whole NameID when the comment was there before signing, with exclusive c14n with comments', async () => {
      const xml = signed(
        { nameIdXml: 'user@example.com<!---->.evil.com' },
        {
          canonicalizationAlgorithm: XmlDsig.ExcC14nWithComments,
          transforms: [XmlDsig.Enveloped, XmlDsig.ExcC14nWithComments],
        },
      );

      expect((await verify(xml)).subject).toBe('user@example.com.evil.com');
    });

    it('refuses an empty NameID', async () => {
      expect(await rejectionDetail(verify(signed({ nameId: ' ' })))).toMatch(/empty NameID/);
    });
  });

  describe('audience', () => {
    it('refuses an audience that is not this server', async () => {
      expect(await rejectionDetail(verify(signed({ audience: 'https://sp.example.org' })))).toMatch(
        /Audience/,
      );
    });

    it('refuses when any AudienceRestriction leaves this server out', async () => {
      const other =
        '<saml:AudienceRestriction><saml:Audience>https://sp.example.org</saml:Audience></saml:AudienceRestriction>';
      const xml = signed({}).replace('</saml:Conditions>', `${other}</saml:Conditions>`);
      const resigned = signAssertionXml(xml.replace(SIGNATURE, ''), idp.privateKeyPem);

      expect(await rejectionDetail(verify(resigned))).toMatch(/Audience/);
    });

    it('accepts a restriction that lists this server among others', async () => {
      expect(
        (await verify(signed({ audience: ['https://sp.example.org', ISSUER_URL] }))).subject,
      ).toBe('alice@example.com');
    });

    it('refuses an issuer URL with a trailing slash (exact match)', async () => {
      expect(await rejectionDetail(verify(signed({ audience: `${ISSUER_URL}/` })))).toMatch(
        /Audience/,
      );
    });
  });

  describe('subject confirmation', () => {
    it('refuses a Recipient that is not the token endpoint', async () => {
      expect(
        await rejectionDetail(verify(signed({ recipient: `${ISSUER_URL}/oauth2/authorization` }))),
      ).toMatch(/Recipient/);
    });

    it('refuses a confirmation method other than bearer', async () => {
      const xml = signed({ confirmationMethod: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' });

      expect(await rejectionDetail(verify(xml))).toMatch(/no bearer/);
    });
  });

  describe('validity window', () => {
    it('refuses an expired SubjectConfirmationData beyond the 60 s skew', async () => {
      const xml = signed({ confirmationNotOnOrAfter: new Date(now.getTime() + 10_000) });
      clock.advance(70);

      expect(await rejectionDetail(verify(xml))).toMatch(/expired \(SubjectConfirmationData/);
    });

    it('accepts an expired SubjectConfirmationData within the skew', async () => {
      const xml = signed({ confirmationNotOnOrAfter: new Date(now.getTime() + 10_000) });
      clock.advance(69);

      expect((await verify(xml)).notOnOrAfter).toEqual(new Date(now.getTime() + 10_000));
    });

    it('refuses Conditions NotOnOrAfter in the past beyond the skew', async () => {
      const xml = signed({ notOnOrAfter: new Date(now.getTime() - 61_000) });

      expect(await rejectionDetail(verify(xml))).toMatch(/expired \(Conditions/);
    });

    it('refuses Conditions NotBefore in the future beyond the skew', async () => {
      const xml = signed({ notBefore: new Date(now.getTime() + 61_000) });

      expect(await rejectionDetail(verify(xml))).toMatch(/not yet valid/);
    });

    it('accepts Conditions NotBefore in the future within the skew', async () => {
      expect((await verify(signed({ notBefore: new Date(now.getTime() + 60_000) }))).subject).toBe(
        'alice@example.com',
      );
    });

    it('refuses an IssueInstant in the future beyond the skew', async () => {
      expect(
        await rejectionDetail(verify(signed({ issueInstant: new Date(now.getTime() + 120_000) }))),
      ).toMatch(/IssueInstant/);
    });

    it('refuses a confirmation without NotOnOrAfter', async () => {
      const xml = signed().replace(/ NotOnOrAfter="[^"]+"\/>/, '/>');
      const resigned = signAssertionXml(xml.replace(SIGNATURE, ''), idp.privateKeyPem);

      expect(await rejectionDetail(verify(resigned))).toMatch(/expired \(SubjectConfirmationData/);
    });

    it('uses the earlier of the Conditions and confirmation expiry', async () => {
      const result = await verify(signed({ notOnOrAfter: new Date(now.getTime() + 30_000) }));

      expect(result.notOnOrAfter).toEqual(new Date(now.getTime() + 30_000));
    });

    it('refuses a malformed instant', async () => {
      const xml = signAssertionXml(
        buildAssertionXml({ ...options(), issuer: idp.entityId }).replace(
          /IssueInstant="[^"]+"/,
          'IssueInstant="yesterday"',
        ),
        idp.privateKeyPem,
      );

      expect(await rejectionDetail(verify(xml))).toMatch(/malformed IssueInstant/);
    });

    it('refuses an instant with a time zone offset', async () => {
      const xml = signAssertionXml(
        buildAssertionXml({ ...options(), issuer: idp.entityId }).replace(
          /IssueInstant="([^"]+)Z"/,
          'IssueInstant="$1+00:00"',
        ),
        idp.privateKeyPem,
      );

      expect(await rejectionDetail(verify(xml))).toMatch(/malformed IssueInstant/);
    });
  });

  describe('conditions', () => {
    it('refuses a condition it does not understand', async () => {
      const xml = signAssertionXml(
        buildAssertionXml({ ...options(), issuer: idp.entityId }).replace(
          '</saml:Conditions>',
          '<saml:Condition/></saml:Conditions>',
        ),
        idp.privateKeyPem,
      );

      expect(await rejectionDetail(verify(xml))).toMatch(/unknown condition/);
    });

    it('refuses an assertion without Conditions', async () => {
      const xml = signAssertionXml(
        buildAssertionXml({ ...options(), issuer: idp.entityId }).replace(
          /<saml:Conditions[\s\S]*<\/saml:Conditions>/,
          '',
        ),
        idp.privateKeyPem,
      );

      expect(await rejectionDetail(verify(xml))).toMatch(/expected one Conditions/);
    });
  });

  describe('replay', () => {
    it('refuses the same assertion the second time', async () => {
      const xml = signed();
      await verify(xml);

      expect(await rejectionDetail(verify(xml))).toMatch(/already used/);
    });

    it('does not use up the ID of an assertion it refuses', async () => {
      await rejectionDetail(verify(signed({ id: '_r', audience: 'https://sp.example.org' })));

      expect(claim).not.toHaveBeenCalled();
    });
  });
});
