import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { OAuthError } from './oauth-error';

const HTTP_STATUS_CODES: Record<number, OAuthError['code']> = {
  401: 'invalid_token',
  404: 'not_found',
  405: 'invalid_request',
  413: 'payload_too_large',
  415: 'invalid_request',
};

/** An error as it goes on the wire: status, headers and the RFC 6749 §5.2 JSON body. */
export interface RenderedError {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Record<string, unknown>;
}

/**
 * Any error as RFC 6749 §5.2 JSON with Cache-Control: no-store: an OAuthError as it says, a
 * Nest HttpException or body-parser error under 500 as the matching code, and anything else
 * logged with its stack and answered 500 server_error, so nothing internal reaches the client.
 * The exception filter and the direct routes (apps/server) both answer with this.
 */
export function renderOAuthError(
  exception: unknown,
  logger: Pick<Logger, 'debug' | 'error'>,
): RenderedError {
  const error = toOAuthError(exception, logger);
  if (error.options.detail) logger.debug(`${error.code}: ${error.options.detail}`);
  const headers: [string, string][] = [
    ['Cache-Control', 'no-store'],
    ['Pragma', 'no-cache'],
  ];
  if (error.options.challenge) headers.push(['WWW-Authenticate', error.options.challenge]);
  if (error.options.retryAfterSeconds !== undefined) {
    headers.push(['Retry-After', String(Math.max(1, Math.ceil(error.options.retryAfterSeconds)))]);
  }
  const body: Record<string, unknown> = {
    error: error.code,
    error_description: error.description,
  };
  if (error.options.fields) body.fields = error.options.fields;
  return { status: error.status, headers, body };
}

/** Writes every error with `renderOAuthError`, through the HTTP adapter (Express or Fastify). */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = this.adapterHost.httpAdapter;
    const res: unknown = host.switchToHttp().getResponse();
    const rendered = renderOAuthError(exception, this.logger);
    if (http.isHeadersSent(res)) return;
    for (const [name, value] of rendered.headers) http.setHeader(res, name, value);
    http.reply(res, rendered.body, rendered.status);
  }
}

function toOAuthError(exception: unknown, logger: Pick<Logger, 'error'>): OAuthError {
  if (exception instanceof OAuthError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status < 500) {
      const code = HTTP_STATUS_CODES[status] ?? 'invalid_request';
      return new OAuthError(code, describeHttpException(exception, status), { status });
    }
  }
  // Body-parser errors (malformed JSON or form, oversize bodies) carry a status and a type
  // (Express's body-parser) or a statusCode and an FST_ code (Fastify).
  const parserError = bodyParserStatus(exception);
  if (parserError) {
    if (parserError.status === 413) {
      return new OAuthError('payload_too_large', 'The request body is too large.', {
        status: 413,
      });
    }
    if (parserError.status >= 400 && parserError.status < 500) {
      return new OAuthError('invalid_request', 'The request body could not be parsed.', {
        status: 400,
      });
    }
  }
  logger.error(
    exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
  );
  return new OAuthError('server_error', 'The server could not complete the request.');
}

function bodyParserStatus(exception: unknown): { status: number } | null {
  const e = exception as {
    status?: unknown;
    type?: unknown;
    statusCode?: unknown;
    code?: unknown;
  } | null;
  if (e && typeof e.status === 'number' && typeof e.type === 'string') return { status: e.status };
  if (
    e &&
    typeof e.statusCode === 'number' &&
    typeof e.code === 'string' &&
    e.code.startsWith('FST_')
  )
    return { status: e.statusCode };
  if (e instanceof SyntaxError && typeof (e as { statusCode?: unknown }).statusCode === 'number')
    return { status: 400 };
  return null;
}

function describeHttpException(exception: HttpException, status: number): string {
  if (status === 404) return 'No such resource.';
  if (status === 405) return 'Method not allowed.';
  if (status === 413) return 'The request body is too large.';
  return 'The request is not valid.';
}
