import { Controller, Get, Header } from '@nestjs/common';

import { Routes } from '@app/config';
import { DiscoveryService } from '@app/discovery';

/** OpenID Connect Discovery 1.0 §4 and RFC 8414 §3: one document at three addresses. */
@Controller()
export class DiscoveryController {
  constructor(private readonly discovery: DiscoveryService) {}

  @Get([Routes.openidConfiguration, Routes.oauthAuthorizationServer, Routes.metadataJson])
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  metadata(): string {
    return this.discovery.document().body;
  }
}
