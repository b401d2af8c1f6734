import { FixedClock, loadConfig } from '@app/config';
import { generateMasterKey } from '@app/crypto';
import { UsedIdentifierRepository, UserFactorRecord, UserFactorRepository } from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import { PasskeyService } from './passkey.service';

const USER_ID = '0b0e2c4e-1f5a-4c3b-9d8e-7f6a5b4c3d2e';
const PASSKEY: UserFactorRecord = {
  id: '5d3c1b2a-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
  userId: USER_ID,
  type: 'passkey',
  secret: null,
  credentialId: 'Y3JlZGVudGlhbA',
  publicKey: Buffer.from('key'),
  signCount: 3,
  createdAt: new Date('2030-01-01T00:00:00Z'),
  lastUsedAt: null,
};

describe(PasskeyService.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  let factors: jest.Mocked<UserFactorRepository>;
  let used: jest.Mocked<UsedIdentifierRepository>;
  let sut: PasskeyService;

  beforeEach(() => {
    factors = mockOf<UserFactorRepository>();
    used = mockOf<UsedIdentifierRepository>();
    const config = loadConfig({
      DATABASE_URL: 'postgres://db.example/uas',
      MASTER_KEY: generateMasterKey(),
      ISSUER: 'https://idp.example.com/uas',
    });
    sut = new PasskeyService(config, clock, factors, used);
  });

  it('names the issuer host as relying party and the user’s passkeys as allowed credentials', async () => {
    factors.findByUser.mockResolvedValue([PASSKEY]);

    const ceremony = await sut.authenticationCeremony(USER_ID);

    const options = JSON.parse(ceremony.optionsJson);
    expect(options.rpId).toBe('idp.example.com');
    expect(options.allowCredentials).toEqual([{ id: PASSKEY.credentialId, type: 'public-key' }]);
    expect(options.challenge).toBe(ceremony.challenge);
  });

  it('refuses an answer to a challenge answered before, without checking it', async () => {
    used.claim.mockResolvedValue(false);

    const accepted = await sut.authenticate(
      USER_ID,
      'challenge',
      JSON.stringify({ id: PASSKEY.credentialId, response: {} }),
    );

    expect(accepted).toBe(false);
    expect(used.claim).toHaveBeenCalledWith(
      'webauthn_challenge',
      'challenge',
      new Date('2030-01-01T12:10:00Z'),
      clock.now(),
    );
    expect(factors.findByUser).not.toHaveBeenCalled();
  });

  it('refuses a credential that is not one of the user’s passkeys', async () => {
    used.claim.mockResolvedValue(true);
    factors.findByUser.mockResolvedValue([PASSKEY]);

    expect(
      await sut.authenticate(USER_ID, 'challenge', JSON.stringify({ id: 'b3RoZXI', response: {} })),
    ).toBe(false);
  });

  it('refuses a response that is no JSON object', async () => {
    expect(await sut.authenticate(USER_ID, 'challenge', 'not json')).toBe(false);
    expect(await sut.register(USER_ID, 'challenge', '"a string"')).toBe(false);
  });
});
