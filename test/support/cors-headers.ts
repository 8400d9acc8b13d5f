/** Helpers shared by the CORS e2e specs, the package's and the service's. */
import { type IncomingHttpHeaders, request } from 'node:http';

/** Every `Access-Control-*` header of a response, by lower-case name. */
export function accessControlHeaders(headers: IncomingHttpHeaders): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-')));
}

/**
 * Sends `origins` as that many `Origin` headers (supertest cannot send one
 * twice), with a JSON body when given one, and resolves to the answer's
 * Access-Control-* headers. A preflight asks for POST.
 */
export function accessControlForOrigins(
  port: number,
  method: string,
  path: string,
  origins: readonly string[],
  json?: string,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      res.resume();
      resolve(accessControlHeaders(res.headers));
    });
    req.setHeader('Origin', [...origins]);
    if (method === 'OPTIONS') req.setHeader('Access-Control-Request-Method', 'POST');
    req.setHeader('Content-Type', 'application/json');
    req.on('error', reject);
    req.end(json);
  });
}
