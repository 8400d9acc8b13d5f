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
import { CorsPolicies } from 'nestjs-route-cors';
import { type CorsOpenApiExtension, withCorsPolicies } from 'nestjs-route-cors/openapi';

/** The operation's CORS policy as one Markdown sentence: Swagger UI shows descriptions, not extensions. */
function corsSentence(cors: CorsOpenApiExtension): string {
  if (cors === null) return '**CORS:** none: pages on other origins cannot read this answer.';
  const origins = cors.origins === '*' ? 'any origin' : cors.origins.join(', ');
  const predicate = cors.originPredicate ? ' and the origins its predicate accepts' : '';
  return `**CORS:** policy \`${cors.policy}\`: ${origins}${predicate}; methods ${cors.methods.join(', ')}; credentials ${cors.credentials ? 'yes' : 'no'}.`;
}

/** A copy of `document` whose operations say their `x-cors` in their descriptions too. */
function withCorsDescriptions(document: OpenAPIObject): OpenAPIObject {
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([key, value]: [string, unknown]) => {
          if (typeof value !== 'object' || value === null || !('x-cors' in value)) return [key, value];
          const operation = value as { description?: string; 'x-cors': CorsOpenApiExtension };
          return [key, { ...operation, description: [operation.description, corsSentence(operation['x-cors'])].filter(Boolean).join('\n\n') }];
        }),
      ),
    ]),
  );
  return { ...document, paths };
}

export function setupApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Greet API')
    .setDescription(
      'The greet service of the CORS article. Every operation says its CORS policy (below its summary, and as x-cors in the JSON; null: no cross-origin access), from the route table the service enforces.',
    )
    .setVersion('0.1.0')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    // Swagger keeps the document it built first; the policies are added on every request, as they are now.
    patchDocumentOnRequest: (_req, _res, document) => withCorsDescriptions(withCorsPolicies(document, app.get(CorsPolicies))),
  });
}
