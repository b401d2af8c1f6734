import { Controller, Get, Header, Headers, Res } from '@nestjs/common';

import { Routes } from '@app/config';
import { DiscoveryService } from '@app/discovery';

import { DocumentResponse, sendDocument } from './cacheable-document';

/** The metadata changes only with a new deployment's configuration. */
export const DISCOVERY_MAX_AGE_SECONDS = 300;

/** OpenID Connect Discovery 1.0 §4 and RFC 8414 §3: one document at three addresses. */
@Controller()
export class DiscoveryController {
  constructor(private readonly discovery: DiscoveryService) {}

  @Get([Routes.openidConfiguration, Routes.oauthAuthorizationServer, Routes.metadataJson])
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Header('Cache-Control', `public, max-age=${DISCOVERY_MAX_AGE_SECONDS}`)
  metadata(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: DocumentResponse,
  ): string {
    return sendDocument(this.discovery.document(), ifNoneMatch, res);
  }
}
