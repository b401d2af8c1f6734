import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Optional body of a rotation. */
export class KeyRotateDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 86400,
    description:
      'Seconds until the new key signs (default KEY_ROTATION_LEAD_SECONDS); 0 signs with it at once (compromised key).',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86400)
  activate_in_seconds?: number;
}
