import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { UserEntity } from './user.entity';

/**
 * A user's second factor (CONTRACT "Sign-in with more than a password"). A TOTP factor keeps
 * its shared secret encrypted under MASTER_KEY (it must be read back to check codes) and the
 * last RFC 6238 time step a code was accepted for, so each code is used once.
 */
@Entity('user_factors')
@Index('user_factors_user_idx', ['userId'])
@Index('user_factors_credential_id_key', ['credentialId'], {
  unique: true,
  where: 'credential_id IS NOT NULL',
})
export class UserFactorEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'user_factors_pkey' }) id: string;
  @Column('uuid') userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_factors_user_id_fkey' })
  user?: UserEntity;
  /** `totp` or `passkey`. */
  @Column('text') type: string;
  /** TOTP: MasterKeyCipher envelope of the secret, bound to the factor's id. */
  @Column('text', { nullable: true }) secret: string | null;
  /** RFC 6238 §5.2: the time step of the last accepted code; only a later one is accepted. */
  @Column('bigint', { default: 0 }) lastStep: string;
  /** Passkey: the credential id (base64url), its COSE public key and signature counter (WebAuthn §6.1). */
  @Column('text', { nullable: true }) credentialId: string | null;
  @Column('bytea', { nullable: true }) publicKey: Buffer | null;
  @Column('bigint', { nullable: true }) signCount: string | null;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { nullable: true }) lastUsedAt: Date | null;
}
