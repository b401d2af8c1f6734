import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';

/** CONTRACT §4: the factor to add; TOTP is the one an administrator can create. */
export class FactorCreateDto {
  @ApiProperty({ enum: ['totp'], description: 'RFC 6238 TOTP (SHA-1, 6 digits, 30 s).' })
  @IsIn(['totp'])
  type: 'totp';
}
