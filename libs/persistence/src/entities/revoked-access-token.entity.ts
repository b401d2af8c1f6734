import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An individually revoked access token (RFC 7009), kept until it would have expired. */
@Entity('revoked_access_tokens')
@Index('revoked_access_tokens_expires_idx', ['expiresAt'])
export class RevokedAccessTokenEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'revoked_access_tokens_pkey' }) jti: string;
  @Column('timestamptz') expiresAt: Date;
}
