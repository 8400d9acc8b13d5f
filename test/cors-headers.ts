/** Helpers shared by the CORS e2e specs. */
import type { IncomingHttpHeaders } from 'node:http';

/** Every `Access-Control-*` header of a response, by lower-case name. */
export function accessControlHeaders(headers: IncomingHttpHeaders): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-')));
}
