import { ApiProperty } from '@nestjs/swagger';

/** A factor as listed: never its secret. */
export class FactorResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({
    enum: ['totp', 'passkey'],
    description: 'Passkeys are added by their user after sign-in.',
  })
  type: string;
  @ApiProperty({ format: 'date-time' })
  created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  last_used_at: string | null;
}

export class FactorListResponseDto {
  @ApiProperty({ type: [FactorResponseDto] })
  items: FactorResponseDto[];
}

/** CONTRACT §4: the answer of a creation, the only time the secret is shown. */
export class FactorCreatedResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ enum: ['totp'] })
  type: string;
  @ApiProperty({ description: 'The shared secret, base32 (160 bits); shown only here.' })
  secret: string;
  @ApiProperty({ description: 'The otpauth:// URI an authenticator app reads (as a QR code).' })
  otpauth_uri: string;
}
