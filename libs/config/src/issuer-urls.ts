import { AppConfig } from './app-config';
import { RouteName, Routes } from './routes';

/** The absolute URL of a protocol route, derived from the issuer. */
export function routeUrl(config: AppConfig, route: RouteName): string {
  return `${config.issuer.url}${Routes[route]}`;
}

/** The server-side path (below the HTTP root) of a protocol route. */
export function routePath(config: AppConfig, route: RouteName): string {
  return `${config.issuer.basePath}${Routes[route]}`;
}
