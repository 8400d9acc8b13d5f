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

/**
 * The operation's CORS policy as one Markdown sentence: Swagger UI shows descriptions, not extensions. The methods
 * are the policy's, which its preflights allow (a merged policy's include the controller's).
 */
function corsSentence(cors: CorsOpenApiExtension): string {
  if (cors === null) return '**CORS:** none: pages on other origins cannot read this answer.';
  const origins = cors.origins === '*' ? 'any origin' : cors.origins.join(', ');
  const predicate = cors.originPredicate ? ' and the origins its predicate accepts' : '';
  return `**CORS:** policy \`${cors.policy}\`: ${origins}${predicate}; preflights allow ${cors.methods.join(', ')}; credentials ${cors.credentials ? 'yes' : 'no'}.`;
}

/** The policy's name after the summary, which Swagger UI shows on every operation before it is expanded. */
function corsSummary(summary: string | undefined, cors: CorsOpenApiExtension): string {
  return [summary, `(CORS: ${cors === null ? 'none' : cors.policy})`].filter(Boolean).join(' ');
}

/** A copy of `document` whose operations say their `x-cors` in their summaries and descriptions too. */
function withCorsDescriptions(document: OpenAPIObject): OpenAPIObject {
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([key, value]: [string, unknown]) => {
          if (typeof value !== 'object' || value === null || !('x-cors' in value)) return [key, value];
          const operation = value as { summary?: string; description?: string; 'x-cors': CorsOpenApiExtension };
          const cors = operation['x-cors'];
          const description = [operation.description, corsSentence(cors)].filter(Boolean).join('\n\n');
          return [key, { ...operation, summary: corsSummary(operation.summary, cors), description }];
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
      'The greet service of the CORS article. Every operation says its CORS policy (after its summary, in full in its description, and as x-cors in the JSON; null: no cross-origin access), from the route table the service enforces.',
    )
    .setVersion('0.1.0')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    // Swagger keeps the document it built first; the policies are added on every request, as they are now.
    patchDocumentOnRequest: (_req, _res, document) =>
      withCorsDescriptions(withCorsPolicies(document, app.get(CorsPolicies))),
  });
}
