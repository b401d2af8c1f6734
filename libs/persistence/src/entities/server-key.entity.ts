import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('server_keys')
export class ServerKeyEntity {
  @PrimaryColumn('text') kid: string;
  @Column('text') use: 'sig' | 'enc';
  @Column('text') alg: string;
  @Column('jsonb') publicJwk: Record<string, unknown>;
  @Column('text') privateKeyEncrypted: string;
  @Column('text', { nullable: true }) certificatePem: string | null;
  @Column('timestamptz') createdAt: Date;
  @Column('timestamptz') activatesAt: Date;
  @Column('timestamptz', { nullable: true }) retiresAt: Date | null;
}
