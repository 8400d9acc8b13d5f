/**
 * Static files and Swagger under path rules (issue 25), with the real
 * packages: @nestjs/serve-static (the files and the SPA fallback) under a
 * public ('*') rule, and SwaggerModule.setup()'s UI, its assets, its JSON
 * and its YAML under a rule for one origin; on Express and on Fastify.
 */
import request from 'supertest';
import { EVIL, PORTAL, startSpaAtRootApp, startSurfacesApp } from './fixtures/static-and-swagger.fixture.js';
import { preflight, useApp } from '../../../test/support/fixture-app.js';

const { server } = useApp(startSurfacesApp);
const get = (path: string, origin: string): request.Test => request(server()).get(path).set('Origin', origin);

describe("static files and the SPA fallback under a public ('*') rule", () => {
  it.each([
    ['a file', '/app/app.js', /spa loaded/],
    ['the index page', '/app/index.html', /<title>spa<\/title>/],
    ['a client-side route (the SPA fallback)', '/app/orders/42', /<title>spa<\/title>/],
  ])('gives %s to any origin, with Access-Control-Allow-Origin: *', async (_what, path, body) => {
    const res = await get(path, EVIL);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(body);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('answers a preflight for GET with 204 and *, before the static handler runs', async () => {
    const res = await preflight(server(), '/app/app.js', EVIL, 'GET');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['content-length']).toBe('0');
  });

  it('refuses a preflight for a method outside the policy with 403', async () => {
    const res = await preflight(server(), '/app/app.js', EVIL, 'PUT');
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe("Swagger's UI and documents under a rule for one origin", () => {
  it.each([
    ['the UI page', '/docs', /swagger-ui/],
    ["the UI's script", '/docs/swagger-ui-init.js', /window\.onload/],
    ["the UI's assets", '/docs/swagger-ui.css', /\.swagger-ui/],
    ['the JSON document', '/docs-json', /"title":"surfaces"/],
    ['the YAML document', '/docs-yaml', /title: surfaces/],
  ])('gives %s to the allowed origin with its headers, and none to another', async (_what, path, body) => {
    const allowed = await get(path, PORTAL);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toMatch(body);
    expect(allowed.headers['access-control-allow-origin']).toBe(PORTAL);
    expect(allowed.headers.vary).toMatch(/\bOrigin\b/);
    expect((await get(path, EVIL)).headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each(['/docs', '/docs-json', '/docs-yaml'])(
    'answers preflights at %s: 204 for the allowed origin, 403 for another',
    async (path) => {
      expect((await preflight(server(), path, PORTAL, 'GET')).status).toBe(204);
      const refused = await preflight(server(), path, EVIL, 'GET');
      expect(refused.status).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    },
  );
});

describe('the controller route beside the rules', () => {
  it('keeps its own @Cors()', async () => {
    expect((await get('/items', PORTAL)).headers['access-control-allow-origin']).toBe(PORTAL);
    expect((await get('/items', EVIL)).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('an API beside a single-page app served at the root, the API excluded from its fallback', () => {
  const spa = useApp(startSpaAtRootApp);

  it('gives a client-side route the SPA, and the API its data', async () => {
    expect((await request(spa.server()).get('/orders/42')).text).toMatch(/<title>spa<\/title>/);
    expect((await request(spa.server()).get('/api').set('Origin', PORTAL)).body).toEqual(['item']);
  });

  // Issue 31, item 7: with @nestjs/serve-static 5 (Nest 11) on Express, both became Nest's 404 (the loader's error
  // middleware answers every error at an excluded path with NotFoundException); test/consumer/nest11-samples keeps that case.
  it.each([
    ['a method no handler serves', PORTAL, 'POST'],
    ['another origin', EVIL, 'GET'],
  ])('refuses a preflight at the API for %s with the documented 403', async (_what, origin, method) => {
    const res = await preflight(spa.server(), '/api', origin, method);
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
