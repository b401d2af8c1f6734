import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** Which directory attribute holds the id, the username and each claim. */
export class DirectoryAttributesDto {
  @ApiProperty({
    description:
      'The stable id attribute, which becomes the link to the local user (its `sub`): ' +
      '`entryUUID` (OpenLDAP), `objectGUID` (Active Directory, read as binary). Never a DN.',
    example: 'entryUUID',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  id: string;

  @ApiProperty({ example: 'uid' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  username: string;

  @ApiPropertyOptional({ example: 'mail' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  email?: string;

  @ApiPropertyOptional({ example: 'cn' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'givenName' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  given_name?: string;

  @ApiPropertyOptional({ example: 'sn' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  family_name?: string;

  @ApiPropertyOptional({ example: 'telephoneNumber' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  phone_number?: string;
}

/** An LDAP or Active Directory users sign in against (CONTRACT §4 `directories`). */
export class DirectoryCreateDto {
  @ApiProperty({ maxLength: 200, example: 'corp' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({
    description: '`ldap://host[:port]` or `ldaps://host[:port]`.',
    example: 'ldaps://ldap.example.com',
  })
  @IsString()
  @MaxLength(2000)
  url: string;

  @ApiPropertyOptional({ default: false, description: 'StartTLS (RFC 4513 §3) on an ldap:// URL.' })
  @IsOptional()
  @IsBoolean()
  start_tls?: boolean;

  @ApiProperty({ example: 'cn=uas-service,dc=example,dc=com' })
  @IsString()
  @MaxLength(2000)
  bind_dn: string;

  @ApiProperty({
    writeOnly: true,
    description:
      'The service account password; encrypted with MASTER_KEY, never returned. ' +
      'Optional on PUT (omitted: unchanged).',
  })
  @IsString()
  @MaxLength(1000)
  bind_password: string;

  @ApiProperty({ example: 'ou=people,dc=example,dc=com' })
  @IsString()
  @MaxLength(2000)
  user_base_dn: string;

  @ApiProperty({
    description: 'RFC 4515 filter; `{username}` is replaced by the RFC 4515-escaped username.',
    example: '(&(objectClass=inetOrgPerson)(uid={username}))',
  })
  @IsString()
  @MaxLength(2000)
  user_filter: string;

  @ApiProperty({ type: DirectoryAttributesDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DirectoryAttributesDto)
  attributes: DirectoryAttributesDto;

  @ApiPropertyOptional({ nullable: true, example: 'ou=groups,dc=example,dc=com' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  group_base_dn?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    description: 'RFC 4515 filter; `{dn}` is replaced by the RFC 4515-escaped DN of the user.',
    example: '(&(objectClass=groupOfNames)(member={dn}))',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  group_filter?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    description: 'Instead of a group search: the user attribute listing group DNs.',
    example: 'memberOf',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  member_of_attribute?: string | null;

  @ApiPropertyOptional({ default: 'cn', description: 'The group attribute that names a group.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  group_name_attribute?: string;

  @ApiPropertyOptional({
    nullable: true,
    description: 'PEM CA certificates trusted for ldaps:// and StartTLS (default: the system CAs).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  ca_certificate?: string | null;

  @ApiPropertyOptional({
    default: 3000,
    minimum: 100,
    maximum: 10000,
    description: 'Connect and per-operation timeout; past it the sign-in answers 503.',
  })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(10000)
  timeout_ms?: number;
}

/** PUT: every setting again; `bind_password` may be left out to keep the stored one. */
export class DirectoryUpdateDto extends DirectoryCreateDto {
  @ApiPropertyOptional({ writeOnly: true, description: 'Omitted: the stored password stays.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  declare bind_password: string;
}
