import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { AccountService } from '@app/accounts';
import { OAuthError } from '@app/errors';
import { FactorService } from '@app/factors';

import { Audited } from '../audit/audited';
import { RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminValidationPipe } from './admin-validation.pipe';
import { FactorCreateDto } from './dto/factor-create.dto';
import {
  FactorCreatedResponseDto,
  FactorListResponseDto,
  FactorResponseDto,
} from './dto/factor-response.dto';

const pipe = new AdminValidationPipe();

/** CONTRACT §4: a user's second factors. The secret is shown once, at creation. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('admin/v1/users/:id/factors')
@UseGuards(AdminTokenGuard)
export class UserFactorsController {
  constructor(
    private readonly accounts: AccountService,
    private readonly factors: FactorService,
  ) {}

  @Post()
  @RequiredScope('users:write')
  @Audited('user.factor_added', { param: 'id' })
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Add a TOTP factor; the secret is in this answer only' })
  @ApiCreatedResponse({ type: FactorCreatedResponseDto })
  async create(
    @Param('id') id: string,
    @Body(pipe) body: FactorCreateDto,
  ): Promise<FactorCreatedResponseDto> {
    const account = await this.accounts.findById(id);
    if (!account) throw notFound('No such user.');
    const created = await this.factors.addTotp(account.id, account.username);
    return {
      id: created.id,
      type: body.type,
      secret: created.secret,
      otpauth_uri: created.otpauthUri,
    };
  }

  @Get()
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "List a user's factors (never their secrets)" })
  @ApiOkResponse({ type: FactorListResponseDto })
  async list(@Param('id') id: string): Promise<{ items: FactorResponseDto[] }> {
    if (!(await this.accounts.findById(id))) throw notFound('No such user.');
    const factors = await this.factors.list(id);
    return {
      items: factors.map((f) => ({
        id: f.id,
        type: f.type,
        created_at: f.createdAt.toISOString(),
        last_used_at: f.lastUsedAt?.toISOString() ?? null,
      })),
    };
  }

  @Delete(':factorId')
  @RequiredScope('users:write')
  @Audited('user.factor_removed', { param: 'id' })
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a factor of the user' })
  @ApiNoContentResponse()
  async remove(@Param('id') id: string, @Param('factorId') factorId: string): Promise<void> {
    if (!(await this.factors.remove(id, factorId))) throw notFound('No such factor.');
  }
}

function notFound(description: string): OAuthError {
  return new OAuthError('not_found', description);
}
