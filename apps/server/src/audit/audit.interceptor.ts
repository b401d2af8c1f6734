import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, from, mergeMap } from 'rxjs';

import { AuditContext, AuditLog } from '@app/persistence';

import { AUDITED, AuditedRoute, NO_AUDIT_CONTEXT } from './audited';

/** What the admin guard leaves on the request: which credential it accepted. */
export const AUDIT_ACTOR = Symbol('uas:audit-actor');

type AuditedRequest = {
  ip?: string;
  body?: unknown;
  params?: Record<string, string>;
  [AUDIT_ACTOR]?: string;
};

/**
 * Every request runs in an audit context (its address, and for the admin API the credential
 * the guard accepted), so the services' events name them without carrying them. After an admin
 * route marked `@Audited` succeeds, its event is written with that actor; a route that failed
 * wrote nothing and records nothing.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  /** What each handler's metadata says, read once (the reflection is per-request work otherwise). */
  private readonly routes = new WeakMap<object, RouteAudit>();

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const { audited, withoutContext } = this.routeAudit(context);
    if (withoutContext) return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    const ctx: AuditContext = { actor: request[AUDIT_ACTOR] ?? null, ip: request.ip ?? null };
    // The handler's whole async chain runs inside the context.
    const handled = new Observable<unknown>((subscriber) =>
      AuditLog.run(ctx, () => next.handle().subscribe(subscriber)),
    );
    if (!audited) return handled;
    // A dry run changed nothing, so it is no admin change to record.
    const flag = audited.unlessBodyFlag;
    if (flag && (request.body as Record<string, unknown> | undefined)?.[flag] === true)
      return handled;
    return handled.pipe(
      mergeMap((body) =>
        from(
          AuditLog.run(ctx, async () => {
            await this.audit.recordQuietly({
              type: audited.type,
              outcome: 'success',
              subject: subjectOf(audited, request, body),
            });
            return body;
          }),
        ),
      ),
    );
  }

  private routeAudit(context: ExecutionContext): RouteAudit {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      const audited = this.reflector.get<AuditedRoute | undefined>(AUDITED, handler);
      const withoutContext =
        !audited && this.reflector.get<boolean>(NO_AUDIT_CONTEXT, context.getClass()) === true;
      route = { audited, withoutContext };
      this.routes.set(handler, route);
    }
    return route;
  }
}

interface RouteAudit {
  readonly audited: AuditedRoute | undefined;
  /** `@NoAuditContext()`: the route records no event, so it runs without a context. */
  readonly withoutContext: boolean;
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
