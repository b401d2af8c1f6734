import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';

/** A trusted SAML asserting party (RFC 7522 grant): its entityID and signing certificates. */
export class SamlIssuerCreateDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 1024,
    description: 'Compared exactly with the Issuer of each assertion.',
    example: 'urn:uuid:6f1b7a4e-2d5c-4c1e-9b0a-3f9e8d7c6b5a',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  entity_id: string;

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 10,
    description:
      'PEM X.509 certificates (RSA, 2048 bits or more); an assertion must verify with one of them. ' +
      'Never a private key.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(16384, { each: true })
  certificates: string[];
}
