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

/**
 * Writes every error as RFC 6749 §5.2 JSON with Cache-Control: no-store.
 * Anything that is not an OAuthError or a Nest HttpException is logged with its stack
 * and answered 500 server_error: nothing internal reaches the client.
 */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /** Writes through the HTTP adapter, so the same filter serves Express and Fastify. */
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = this.adapterHost.httpAdapter;
    const res: unknown = host.switchToHttp().getResponse();
    const error = this.toOAuthError(exception);
    if (http.isHeadersSent(res)) return;
    if (error.options.detail) this.logger.debug(`${error.code}: ${error.options.detail}`);
    http.setHeader(res, 'Cache-Control', 'no-store');
    http.setHeader(res, 'Pragma', 'no-cache');
    if (error.options.challenge) http.setHeader(res, 'WWW-Authenticate', error.options.challenge);
    if (error.options.retryAfterSeconds !== undefined) {
      http.setHeader(
        res,
        'Retry-After',
        String(Math.max(1, Math.ceil(error.options.retryAfterSeconds))),
      );
    }
    const body: Record<string, unknown> = {
      error: error.code,
      error_description: error.description,
    };
    if (error.options.fields) body.fields = error.options.fields;
    http.reply(res, body, error.status);
  }

  private toOAuthError(exception: unknown): OAuthError {
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
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return new OAuthError('server_error', 'The server could not complete the request.');
  }
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
