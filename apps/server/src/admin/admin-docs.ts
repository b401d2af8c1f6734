import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { AdminModule } from './admin.module';

/** Where the OpenAPI document and its browsable page are served (CONTRACT §4); both public. */
export const ADMIN_OPENAPI_PATH = 'admin/v1/openapi.json';
export const ADMIN_DOCS_PATH = 'admin/docs';

/**
 * Serves the admin API's OpenAPI document, generated from the controllers and DTOs, and the
 * Swagger UI. Built on first request, so start-up pays nothing for it.
 */
export function setupAdminDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Admin API')
    .setDescription(
      'Clients, users, SAML issuers, keys and API keys. Every route takes Authorization: Bearer ' +
        "$ADMIN_TOKEN, or an API key (uas_ak_…) holding the scope named by the route's " +
        'x-required-scope (admin_token: the admin token only); outside its scopes a key gets 403 ' +
        'insufficient_scope.',
    )
    .setVersion('v1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup(
    ADMIN_DOCS_PATH,
    app,
    () => SwaggerModule.createDocument(app, config, { include: [AdminModule] }),
    {
      jsonDocumentUrl: ADMIN_OPENAPI_PATH,
      raw: ['json'],
      customSiteTitle: 'Admin API',
    },
  );
}
