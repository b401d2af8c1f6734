import { readFileSync } from 'node:fs';

import { Controller, Get, Header, Inject } from '@nestjs/common';

import { APP_CONFIG, AppConfig, ConfigError, Routes } from '@app/config';

import { DEFAULT_LOGIN_CSS } from './login-stylesheet';
import { PASSKEY_SCRIPT } from './passkey-script';

/**
 * Serves the login page's stylesheet (the built-in one, or LOGIN_CSS_FILE read once at start)
 * and the passkey ceremony's script.
 */
@Controller()
export class LoginStylesheetController {
  private readonly css: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.css =
      config.login.cssFile === null ? DEFAULT_LOGIN_CSS : readStylesheet(config.login.cssFile);
  }

  @Get(Routes.loginStylesheet)
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('X-Content-Type-Options', 'nosniff')
  stylesheet(): string {
    return this.css;
  }

  /** The passkey ceremony's script (the CSP of the pages that load it allows 'self' only). */
  @Get(Routes.passkeyScript)
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('X-Content-Type-Options', 'nosniff')
  passkeyScript(): string {
    return PASSKEY_SCRIPT;
  }
}

function readStylesheet(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `LOGIN_CSS_FILE: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
}
