import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

// No leading or trailing white space, no control characters: what a login form can send back.
const USERNAME = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;
// Digits with an optional leading +: E.164 is RECOMMENDED (OIDC Core §5.1), local numbers occur.
const PHONE_NUMBER = /^\+?[0-9]{3,20}$/;

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
}

/** A new user: username (unique in its canonical form: NFKC, case-folded), password, and standard claims. */
export class UserCreateDto extends UserClaimsDto {
  @ApiProperty({ minLength: 1, maxLength: 254 })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  @Matches(USERNAME, {
    message: 'username must not start or end with white space nor contain control characters',
  })
  username: string;

  @ApiProperty({ minLength: 8, maxLength: 128, description: 'Not the username. Never returned.' })
  @IsString()
  password: string;
}
