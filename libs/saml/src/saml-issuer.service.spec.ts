import { generateKeyPairSync } from 'node:crypto';

import { FixedClock } from '@app/config';
import { SamlIssuerRecord, SamlIssuerRepository } from '@app/persistence';

import { caught, mockOf } from '../../../test/mocks';
import { makeSamlIssuer, SamlTestIssuer } from '../../../test/factories/saml-assertion.factory';
import { SamlIssuerService } from './saml-issuer.service';

const ID = 'f2b5f1de-5a0e-4a56-9d43-8c1e2b3a4d5e';
const PUBLIC_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
  type: 'spki',
  format: 'pem',
}) as string;

describe(SamlIssuerService.name, () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  let idp: SamlTestIssuer;
  let repository: jest.Mocked<SamlIssuerRepository>;
  let sut: SamlIssuerService;

  beforeAll(async () => {
    idp = await makeSamlIssuer('https://idp.example.org/saml');
  });

  beforeEach(() => {
    repository = mockOf<SamlIssuerRepository>();
    repository.create.mockImplementation(async (row: Omit<SamlIssuerRecord, 'id'>) => ({
      id: ID,
      ...row,
    }));
    sut = new SamlIssuerService(repository, new FixedClock(now));
  });

  it('stores the entityID and the certificates as normalized PEM, created now', async () => {
    const messy = `\n${idp.certificatePem.replace(/\n/g, '\r\n')}\n`;

    const created = await sut.create({ entityId: idp.entityId, certificates: [messy] });

    expect(created).toEqual({
      id: ID,
      entityId: idp.entityId,
      certificates: [idp.certificatePem.trim() + '\n'],
      createdAt: now,
    });
  });

  it('refuses an empty certificate list', async () => {
    const error = await caught(sut.create({ entityId: idp.entityId, certificates: [] }));

    expect(error.code).toBe('invalid_request');
    expect(error.options.fields).toEqual([
      { field: 'certificates', problems: [expect.any(String)] },
    ]);
    expect(repository.create).not.toHaveBeenCalled();
  });

  it.each([
    ['garbage', 'not a certificate'],
    ['a truncated certificate', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['a public key', PUBLIC_KEY_PEM],
  ])('refuses %s, naming the entry', async (_, pem) => {
    const error = await caught(
      sut.create({ entityId: idp.entityId, certificates: [idp.certificatePem, pem] }),
    );

    expect(error.code).toBe('invalid_request');
    expect(error.options.fields).toEqual([
      { field: 'certificates[1]', problems: [expect.any(String)] },
    ]);
  });

  it('refuses a private key, alone or next to a certificate', async () => {
    const withKey = `${idp.privateKeyPem}${idp.certificatePem}`;

    const error = await caught(
      sut.create({ entityId: idp.entityId, certificates: [idp.privateKeyPem, withKey] }),
    );

    expect(error.options.fields).toEqual([
      { field: 'certificates[0]', problems: ['must be a certificate, not a private key'] },
      { field: 'certificates[1]', problems: ['must be a certificate, not a private key'] },
    ]);
  });

  it('refuses two certificates in one entry', async () => {
    const error = await caught(
      sut.create({
        entityId: idp.entityId,
        certificates: [idp.certificatePem + idp.certificatePem],
      }),
    );

    expect(error.options.fields).toEqual([
      { field: 'certificates[0]', problems: [expect.any(String)] },
    ]);
  });

  it('refuses a certificate whose RSA key is shorter than 2048 bits', async () => {
    const weak = await makeSamlIssuer('https://weak.example.org', 1024);

    const error = await caught(
      sut.create({ entityId: weak.entityId, certificates: [weak.certificatePem] }),
    );

    expect(error.options.fields).toEqual([
      { field: 'certificates[0]', problems: ['must hold an RSA key of at least 2048 bits'] },
    ]);
  });

  it.each([
    ['empty', ''],
    ['blank', '  '],
    ['padded with white space', ' urn:x'],
    ['longer than 1024 characters', `urn:${'x'.repeat(1021)}`],
  ])('refuses an entity_id that is %s', async (_, entityId) => {
    const error = await caught(sut.create({ entityId, certificates: [idp.certificatePem] }));

    expect(error.code).toBe('invalid_request');
    expect(error.options.fields).toEqual([{ field: 'entity_id', problems: [expect.any(String)] }]);
  });

  it('answers conflict when the entityID is registered', async () => {
    repository.create.mockResolvedValue(null);

    const error = await caught(
      sut.create({ entityId: idp.entityId, certificates: [idp.certificatePem] }),
    );

    expect(error.code).toBe('conflict');
    expect(error.status).toBe(409);
  });

  it('answers not_found when deleting an issuer that does not exist', async () => {
    repository.delete.mockResolvedValue(false);

    const error = await caught(sut.delete(ID));

    expect(error.code).toBe('not_found');
  });

  it('deletes an existing issuer', async () => {
    repository.delete.mockResolvedValue(true);

    await sut.delete(ID);

    expect(repository.delete).toHaveBeenCalledWith(ID, now);
  });
});
