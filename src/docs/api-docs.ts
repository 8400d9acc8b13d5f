/**
 * Swagger UI at /docs and the OpenAPI document at /docs-json (outside
 * production unless API_DOCS says otherwise). Each operation carries its CORS
 * policy as an `x-cors` extension, read from the route table the service
 * enforces when the document is served, so the docs cannot drift from the
 * behaviour, runtime policy updates included. The docs pages are not Nest
 * routes: they get no CORS headers, same-origin only.
 */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { type CorsRoute, CorsRouteTable } from 'nestjs-route-cors';

type DeclaredPolicy = NonNullable<CorsRoute['policy']>['declared'];

/** What a page on another origin may do with an operation, as the policy declares it; `null`: nothing (no CORS policy). */
export type CorsExtension = ({ readonly policy: string; readonly originPredicate: boolean } & Omit<DeclaredPolicy, 'hasOriginPredicate'>) | null;

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function corsExtension(route: CorsRoute): CorsExtension {
  if (route.policy === undefined) {
    return null;
  }
  const { hasOriginPredicate, ...declared } = route.policy.declared;
  return { policy: route.policy.name, originPredicate: hasOriginPredicate, ...declared };
}

/** `/items/:id` as OpenAPI writes it: `/items/{id}`. */
function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

/** A copy of `document` whose operations carry `x-cors` from the routes as they are now. */
export function withCorsPolicies(document: OpenAPIObject, routes: readonly CorsRoute[]): OpenAPIObject {
  const byOperation = new Map<string, CorsRoute>();
  for (const route of routes) {
    const key = `${route.method.toLowerCase()} ${openApiPath(route.path)}`;
    // Where versions or hosts share a path, the router tries the first route first.
    if (!byOperation.has(key)) byOperation.set(key, route);
  }
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => {
      const operations = OPERATION_METHODS.flatMap((method) => {
        const operation = item[method];
        const route = byOperation.get(`${method} ${path}`);
        return operation && route ? [[method, { ...operation, 'x-cors': corsExtension(route) }]] : [];
      });
      return [path, { ...item, ...Object.fromEntries(operations) }];
    }),
  );
  return { ...document, paths };
}

export function setupApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Greet API')
    .setDescription(
      'The greet service of the CORS article. Every operation carries its CORS policy as x-cors (null: no cross-origin access), from the route table the service enforces.',
    )
    .setVersion('0.1.0')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    // Swagger keeps the document it built first; the policies are added on every request, as they are now.
    patchDocumentOnRequest: (_req, _res, document) => withCorsPolicies(document, app.get(CorsRouteTable).routes),
  });
}
