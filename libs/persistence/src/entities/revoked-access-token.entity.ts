import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('revoked_access_tokens')
export class RevokedAccessTokenEntity {
  @PrimaryColumn('text') jti: string;
  @Column('timestamptz') expiresAt: Date;
}
