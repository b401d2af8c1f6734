import { X509Certificate } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Clock } from '@app/config';
import { FieldProblem, OAuthError } from '@app/errors';
import { SamlIssuerRecord, SamlIssuerRepository } from '@app/persistence';

/** A trusted asserting party: assertions whose Issuer is `entityId` must verify with one of `certificates`. */
export type SamlIssuer = SamlIssuerRecord;

/** What registering an issuer takes: its entityID and its signing certificates (PEM). */
export interface SamlIssuerInput {
  readonly entityId: string;
  readonly certificates: readonly string[];
}

const PEM_CERTIFICATE =
  /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----$/;
const MIN_RSA_BITS = 2048;
// SAML 2.0 Metadata §2.3.2: an entityID is a URI of at most 1024 characters.
const MAX_ENTITY_ID_LENGTH = 1024;

/** Registers, lists and removes the issuers whose assertions the saml2-bearer grant accepts. */
@Injectable()
export class SamlIssuerService {
  constructor(
    private readonly issuers: SamlIssuerRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Registers an issuer. invalid_request (with `fields`) for an empty or blank entityID, an empty
   * certificate list, or anything that is not a PEM X.509 certificate with an RSA key of 2048
   * bits or more (a private key is refused); conflict when the entityID is registered.
   */
  async create(input: SamlIssuerInput): Promise<SamlIssuer> {
    const problems: FieldProblem[] = [];
    const entityProblem = checkEntityId(input.entityId);
    if (entityProblem) problems.push({ field: 'entity_id', problems: [entityProblem] });
    if (input.certificates.length === 0) {
      problems.push({ field: 'certificates', problems: ['must contain at least one certificate'] });
    }
    const certificates: string[] = [];
    input.certificates.forEach((pem, index) => {
      const parsed = parseCertificate(pem);
      if (typeof parsed === 'string') certificates.push(parsed);
      else problems.push({ field: `certificates[${index}]`, problems: [parsed.problem] });
    });
    if (problems.length > 0) {
      throw new OAuthError('invalid_request', 'The SAML issuer is not valid.', {
        fields: problems,
      });
    }
    const created = await this.issuers.create({
      entityId: input.entityId,
      certificates,
      createdAt: this.clock.now(),
    });
    if (!created)
      throw new OAuthError('conflict', 'A SAML issuer with this entity_id is already registered.');
    return created;
  }

  /** Every registered issuer, oldest first. */
  list(): Promise<SamlIssuer[]> {
    return this.issuers.findAll();
  }

  /** The issuer registered for `entityId` (exact match), or null. */
  findByEntityId(entityId: string): Promise<SamlIssuer | null> {
    return this.issuers.findByEntityId(entityId);
  }

  /**
   * Removes an issuer: its assertions stop being accepted at once, and the tokens they bought
   * stop working (the repository revokes their grants). not_found when there is none.
   */
  async delete(id: string): Promise<void> {
    if (!(await this.issuers.delete(id, this.clock.now())))
      throw new OAuthError('not_found', 'No such SAML issuer.');
  }
}

function checkEntityId(entityId: string): string | null {
  if (entityId.trim() === '') return 'must not be empty';
  if (entityId !== entityId.trim()) return 'must not start or end with white space';
  if (entityId.length > MAX_ENTITY_ID_LENGTH)
    return `must be at most ${MAX_ENTITY_ID_LENGTH} characters`;
  return null;
}

/** The certificate as normalized PEM, or why it is refused. */
function parseCertificate(pem: string): string | { problem: string } {
  if (/PRIVATE KEY/.test(pem)) return { problem: 'must be a certificate, not a private key' };
  if (!PEM_CERTIFICATE.test(pem.trim()))
    return { problem: 'must be one PEM-encoded X.509 certificate' };
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem.trim());
  } catch {
    return { problem: 'must be one PEM-encoded X.509 certificate' };
  }
  const key = certificate.publicKey;
  if (
    key.asymmetricKeyType !== 'rsa' ||
    (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS
  ) {
    return { problem: `must hold an RSA key of at least ${MIN_RSA_BITS} bits` };
  }
  return certificate.toString();
}
