import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';

// No leading or trailing white space, no control characters: what a login form can send back.
const USERNAME = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;
// Digits with an optional leading +: E.164 is RECOMMENDED (OIDC Core §5.1), local numbers occur.
const PHONE_NUMBER = /^\+?[0-9]{3,20}$/;
// OIDC Core §5.1: ISO 8601 YYYY-MM-DD, or YYYY alone, or 0000-MM-DD when the year is withheld.
const BIRTHDATE = /^\d{4}(-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))?$/;
// OIDC Core §5.1: BCP 47 language tag, e.g. en-US or fi (its common shape, not every extension).
const LOCALE = /^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/;
// OIDC Core §5.1: a zoneinfo time zone name, e.g. Europe/Helsinki or UTC.
const ZONEINFO = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
/** What the OpenAPI document says of a username (the rules are IsUsername's). */
export const USERNAME_SCHEMA = { minLength: 1, maxLength: 254 } as const;
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
const TEXT_MAX = 256;

/**
 * The rules of a username wherever the admin API takes one (a new user, an imported one, a
 * rename): a string of 1 to 254 characters, no leading or trailing white space, no control
 * characters. Checked in this order, so the first problem named is the first rule broken.
 */
export function IsUsername(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MinLength(1),
    MaxLength(254),
    Matches(USERNAME, {
      message: 'username must not start or end with white space nor contain control characters',
    }),
  );
}

/** The address claim (OpenID Connect Core §5.1.1); unknown members are rejected. */
export class AddressClaimDto {
  @ApiPropertyOptional({
    maxLength: 1024,
    description: 'Full mailing address; lines separated by \\n.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  formatted?: string;

  @ApiPropertyOptional({ maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  street_address?: string;

  @ApiPropertyOptional({ maxLength: TEXT_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  locality?: string;

  @ApiPropertyOptional({ maxLength: TEXT_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  region?: string;

  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  postal_code?: string;

  @ApiPropertyOptional({ maxLength: TEXT_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  country?: string;
}

/** The OIDC standard claims a user may have (OpenID Connect Core §5.1). */
export class UserClaimsDto {
  @ApiPropertyOptional({ format: 'email' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  email_verified?: boolean;

  @ApiPropertyOptional({ description: 'E.164 recommended, e.g. +358401234567.' })
  @IsOptional()
  @IsString()
  @Matches(PHONE_NUMBER, { message: 'phone_number must be digits with an optional leading +' })
  phone_number?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  phone_number_verified?: boolean;

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  given_name?: string;

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  family_name?: string;

  @ApiPropertyOptional({ maxLength: TEXT_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  middle_name?: string;

  @ApiPropertyOptional({ maxLength: TEXT_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  nickname?: string;

  @ApiPropertyOptional({
    maxLength: TEXT_MAX,
    description: 'Shown to relying parties; not the sign-in username.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_MAX)
  preferred_username?: string;

  @ApiPropertyOptional({ format: 'uri', description: 'URL of the profile page.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_OPTIONS, { message: 'profile must be an http or https URL' })
  profile?: string;

  @ApiPropertyOptional({ format: 'uri', description: 'URL of a picture of the user.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_OPTIONS, { message: 'picture must be an http or https URL' })
  picture?: string;

  @ApiPropertyOptional({ format: 'uri' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_OPTIONS, { message: 'website must be an http or https URL' })
  website?: string;

  @ApiPropertyOptional({ maxLength: 64, description: 'female, male, or another value.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  gender?: string;

  @ApiPropertyOptional({ example: '1990-12-31', description: 'YYYY-MM-DD or YYYY.' })
  @IsOptional()
  @IsString()
  @Matches(BIRTHDATE, { message: 'birthdate must be YYYY-MM-DD or YYYY' })
  birthdate?: string;

  @ApiPropertyOptional({ example: 'Europe/Helsinki' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(ZONEINFO, { message: 'zoneinfo must be a time zone name such as Europe/Helsinki' })
  zoneinfo?: string;

  @ApiPropertyOptional({ example: 'fi-FI', description: 'BCP 47 language tag.' })
  @IsOptional()
  @IsString()
  @MaxLength(35)
  @Matches(LOCALE, { message: 'locale must be a BCP 47 language tag such as en-US' })
  locale?: string;

  @ApiPropertyOptional({ type: AddressClaimDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressClaimDto)
  address?: AddressClaimDto;
}

/** A new user: username (unique in its canonical form: NFKC, case-folded), password, and standard claims. */
export class UserCreateDto extends UserClaimsDto {
  @ApiProperty(USERNAME_SCHEMA)
  @IsUsername()
  username: string;

  @ApiProperty({ minLength: 8, maxLength: 128, description: 'Not the username. Never returned.' })
  @IsString()
  password: string;
}
