import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

import { PageQueryDto } from './page-query.dto';

/** Users list: cursor pagination and a username filter on the canonical form (NFKC, case-folded). */
export class UserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Exact username, any letter case.' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  username?: string;
}
