import { Body, Controller, Get, Header, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { KeyStore, KeySummary } from '@app/keys';

import { Audited } from '../audit/audited';
import { RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminValidationPipe } from './admin-validation.pipe';
import { KeyRotateDto } from './dto/key-rotate.dto';
import { KeyListResponseDto, KeyResponseDto } from './dto/key-response.dto';

/** CONTRACT §4: the server's keys, and rotation without restart. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('admin/v1/keys')
@UseGuards(AdminTokenGuard)
export class KeysController {
  constructor(private readonly keys: KeyStore) {}

  @Get()
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Every key, with its public JWK and status' })
  @ApiOkResponse({ type: KeyListResponseDto })
  async list(): Promise<{ items: KeySummary[] }> {
    return { items: await this.keys.list() };
  }

  @Post('rotate')
  @Audited('key.rotated', { response: 'kid' })
  @RequiredScope('keys:write')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Create a new signing key',
    description:
      'Published at once, signing after activate_in_seconds; the old key stays in the JWKS until its tokens expire.',
  })
  @ApiBody({ type: KeyRotateDto, required: false })
  @ApiCreatedResponse({ type: KeyResponseDto })
  rotate(@Body(new AdminValidationPipe()) body: KeyRotateDto): Promise<KeySummary> {
    return this.keys.rotate(body.activate_in_seconds);
  }
}
