/**
 * Swagger UI at /docs and the OpenAPI document at /docs-json (outside
 * production unless API_DOCS says otherwise). Each operation carries its CORS
 * policy as an `x-cors` extension, read from the route table the service
 * enforces when the document is served, so the docs cannot drift from the
 * behaviour, runtime policy updates included. The docs pages are not Nest
 * routes: they get no CORS headers, same-origin only.
 */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CorsPolicies } from 'nestjs-route-cors';
import { withCorsPolicies } from 'nestjs-route-cors/openapi';

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
    patchDocumentOnRequest: (_req, _res, document) => withCorsPolicies(document, app.get(CorsPolicies)),
  });
}
