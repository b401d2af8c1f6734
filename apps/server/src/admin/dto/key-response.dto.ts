import { ApiProperty } from '@nestjs/swagger';

/** A server key: its public JWK and where it is in its life. */
export class KeyResponseDto {
  @ApiProperty()
  kid: string;

  @ApiProperty({ enum: ['sig', 'enc'] })
  use: string;

  @ApiProperty({ example: 'RS256' })
  alg: string;

  @ApiProperty({ enum: ['next', 'active', 'previous', 'retired'] })
  status: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Public members only.' })
  jwk: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  activates_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  retires_at: string | null;
}

/** Every key ever created. */
export class KeyListResponseDto {
  @ApiProperty({ type: [KeyResponseDto] })
  items: KeyResponseDto[];
}
