import { Controller, Get, Header, Headers, Res, StreamableFile } from '@nestjs/common';

import { Routes } from '@app/config';
import { KeyStore } from '@app/keys';

import { DocumentResponse, sendDocument } from './cacheable-document';

/** Below the default KEY_ROTATION_LEAD_SECONDS (120). */
export const JWKS_MAX_AGE_SECONDS = 60;

/**
 * RFC 7517 §5 key set. max-age stays well below the rotation lead time, so a relying party
 * that honours it has the next key before it signs anything.
 */
@Controller()
export class JwksController {
  constructor(private readonly keys: KeyStore) {}

  @Get(Routes.jwks)
  @Header('Content-Type', 'application/jwk-set+json')
  @Header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
  async jwks(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: DocumentResponse,
  ): Promise<string | StreamableFile> {
    const body = sendDocument(await this.keys.jwksDocument(), ifNoneMatch, res);
    // As bytes: a string body gets `; charset=utf-8` appended by Express (always) and Fastify
    // (to a JSON subtype), and RFC 7517 §8.5 registers the type with no parameters.
    return body === '' ? body : new StreamableFile(Buffer.from(body));
  }
}
