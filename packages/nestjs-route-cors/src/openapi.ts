/**
 * nestjs-route-cors/openapi: an OpenAPI document whose operations say which
 * CORS policy each one enforces, as an `x-cors` extension, read from the
 * running application's route table, so the docs cannot drift from the
 * behaviour. Used with `@nestjs/swagger`:
 *
 *   SwaggerModule.setup('docs', app, document, {
 *     patchDocumentOnRequest: (_req, _res, doc) => withCorsPolicies(doc, app.get(CorsPolicies)),
 *   });
 *
 * Patched on every request, the document follows `CorsPolicies.replace()`.
 */
import type { NormalisedPolicyOptions } from './core/policy.js';
import type { RouteReportRow } from './core/route-report.js';
import type { CorsPolicies } from './nest/cors-policies.service.js';

/** What a page on another origin may do with an operation, as its policy declares it; `null`: nothing (no CORS policy). */
export type CorsOpenApiExtension =
  | ({ readonly policy: string; readonly originPredicate: boolean } & Omit<
      NormalisedPolicyOptions,
      'hasOriginPredicate'
    >)
  | null;

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The part of an OpenAPI 3 document this helper reads; `@nestjs/swagger`'s `OpenAPIObject` is one. */
export interface OpenApiDocumentLike {
  readonly paths: Readonly<Record<string, Partial<Record<(typeof OPERATION_METHODS)[number], object>>>>;
}

function corsExtension(row: RouteReportRow): CorsOpenApiExtension {
  if (row.policy === undefined) {
    return null;
  }
  const { hasOriginPredicate, ...declared } = row.policy.declared;
  return { policy: row.policy.name, originPredicate: hasOriginPredicate, ...declared };
}

/** `/items/:id` as OpenAPI writes it: `/items/{id}`. */
function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

/** A copy of `document` whose operations carry `x-cors` from the routes' policies as they are now. */
export function withCorsPolicies<D extends OpenApiDocumentLike>(document: D, policies: CorsPolicies): D {
  const byOperation = new Map<string, RouteReportRow>();
  for (const row of policies.routeReport().routes) {
    const key = `${row.method.toLowerCase()} ${openApiPath(row.path)}`;
    // Where versions or hosts share a path, the router tries the first route first.
    if (!byOperation.has(key)) byOperation.set(key, row);
  }
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => {
      const operations = OPERATION_METHODS.flatMap((method) => {
        const operation = item[method];
        const row = byOperation.get(`${method} ${path}`);
        return operation && row ? [[method, { ...operation, 'x-cors': corsExtension(row) }]] : [];
      });
      return [path, { ...item, ...Object.fromEntries(operations) }];
    }),
  );
  return { ...document, paths };
}
