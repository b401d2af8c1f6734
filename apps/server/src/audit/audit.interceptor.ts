import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, from, mergeMap } from 'rxjs';

import { AuditLog } from '@app/persistence';

import { AuditedRequest, auditContextOf } from './audit-context';
import { AUDITED, AuditedRoute } from './audited';

/**
 * After an admin route marked `@Audited` succeeds, its event is written with the credential the
 * admin guard accepted as actor, and the request's address; a route that failed wrote nothing and
 * records nothing. Other routes pass straight through: the services they call record their own
 * events, with the AuditContext their controller gives them.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  /** What each handler's metadata says, read once (the reflection is per-request work otherwise). */
  private readonly routes = new WeakMap<object, { audited: AuditedRoute | undefined }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const audited = this.auditedRoute(context);
    if (!audited) return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    // A dry run changed nothing, so it is no admin change to record.
    const flag = audited.unlessBodyFlag;
    if (flag && (request.body as Record<string, unknown> | undefined)?.[flag] === true)
      return next.handle();
    // Interceptors run after the guards, so the admin guard has named the actor.
    const source = auditContextOf(request);
    return next.handle().pipe(
      mergeMap((body: unknown) =>
        from(
          this.audit
            .recordQuietly({
              type: audited.type,
              outcome: 'success',
              subject: subjectOf(audited, request, body),
              ...detailsOf(audited, request, body),
              ...source,
            })
            .then(() => body),
        ),
      ),
    );
  }

  private auditedRoute(context: ExecutionContext): AuditedRoute | undefined {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      route = { audited: this.reflector.get<AuditedRoute | undefined>(AUDITED, handler) };
      this.routes.set(handler, route);
    }
    return route.audited;
  }
}

/** The route's `details`, when it names any: which group a membership changed, say. */
function detailsOf(
  route: AuditedRoute,
  request: AuditedRequest,
  body: unknown,
): { details?: Record<string, unknown> } {
  if (!route.details) return {};
  const details: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(route.details.params ?? {})) {
    const value = request.params?.[param];
    if (typeof value === 'string') details[name] = value;
  }
  const answer = body as Record<string, unknown> | null | undefined;
  for (const member of route.details.response ?? []) {
    if (answer?.[member] !== undefined) details[member] = answer[member];
  }
  return { details };
}

function subjectOf(route: AuditedRoute, request: AuditedRequest, body: unknown): string | null {
  const subject = route.subject;
  if (subject === null) return null;
  const value =
    'param' in subject
      ? request.params?.[subject.param]
      : (body as Record<string, unknown> | null | undefined)?.[subject.response];
  return typeof value === 'string' ? value : null;
}
