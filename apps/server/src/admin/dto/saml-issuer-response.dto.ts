import { ApiProperty } from '@nestjs/swagger';

/** A registered SAML issuer. */
export class SamlIssuerResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  entity_id: string;

  @ApiProperty({ type: [String], description: 'Normalized PEM.' })
  certificates: string[];

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

/** Every registered SAML issuer, oldest first. */
export class SamlIssuerListResponseDto {
  @ApiProperty({ type: [SamlIssuerResponseDto] })
  items: SamlIssuerResponseDto[];
}
