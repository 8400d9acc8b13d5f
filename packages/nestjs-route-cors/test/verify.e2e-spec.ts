/**
 * verify's probes against the application itself, on both platforms: the
 * module's own answers raise no finding, and a layer in front that adds a
 * second Access-Control-Allow-Origin is named (issue 33). The nginx configurations
 * are proven in test/deploy/verify.deploy-spec.ts.
 */
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, Param, Post } from '@nestjs/common';
import { Cors, CorsModule, CorsPolicies, routeReportJson } from 'nestjs-route-cors';
import { probedRoutes } from '../src/verify/verify-probes.js';
import { verifyStack } from '../src/verify/verify-stack.js';
import { listening, startFixtureApp, useApp } from '../../../test/support/fixture-app.js';

@Cors('frontend')
@Controller('notes')
class NotesController {
  @Get(':id')
  read(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Post()
  write(): { written: true } {
    return { written: true };
  }
}

@Module({
  imports: [
    CorsModule.forRoot({
      logRoutes: false,
      policies: {
        frontend: {
          origins: ['https://app.example.com', 'https://*.shop.example'],
          methods: ['GET', 'POST'],
          allowedHeaders: ['Content-Type'],
          credentials: true,
        },
      },
      paths: [{ path: '/public{/*rest}', policy: { origins: '*', methods: ['GET'] } }],
    }),
  ],
  controllers: [NotesController],
})
class VerifiedModule {}

/** A proxy in front of `port` that adds its own `Access-Control-Allow-Origin: *`, as a misconfigured gateway does. */
function proxyAddingWildcard(port: number): Promise<Server> {
  const proxy = createServer((incoming, outgoing) => {
    const upstream = forward(
      { port, host: '127.0.0.1', path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, [...answer.rawHeaders, 'Access-Control-Allow-Origin', '*']);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(upstream);
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(proxy)));
}

describe('verify against the application', () => {
  const running = useApp(() => startFixtureApp(VerifiedModule));
  let base: URL;

  beforeAll(async () => {
    base = new URL(`http://127.0.0.1:${await listening(running.app())}`);
  });

  const routes = () => probedRoutes(routeReportJson(running.app().get(CorsPolicies).routeReport()), []).routes;

  it('finds nothing in what the module answers', async () => {
    const result = await verifyStack(base, routes());
    // In the router's order, which differs between the platforms: compared as a set.
    expect(
      routes()
        .map((route) => `${route.name} → ${route.target}`)
        .sort(),
    ).toEqual(['ANY /public{/*rest} → /public', 'GET /notes/:id → /notes/verify', 'POST /notes → /notes']);
    expect(result.findings).toEqual([]);
    expect(result.requests).toBeGreaterThan(20);
  });

  it('names a second Access-Control-Allow-Origin added in front of the app, and the wildcard it gives refused origins', async () => {
    const proxy = await proxyAddingWildcard(Number(base.port));
    try {
      const { findings } = await verifyStack(
        new URL(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`),
        routes(),
      );
      const codes = new Set(findings.map((finding) => `${finding.route} ${finding.code}`));
      expect(codes).toContain('GET /notes/:id duplicate-allow-origin');
      expect(codes).toContain('GET /notes/:id wildcard-for-listed-origins');
      expect(findings.find((f) => f.code === 'duplicate-allow-origin' && f.route === 'GET /notes/:id')?.message).toBe(
        'GET /notes/verify from https://app.example.com got 2 Access-Control-Allow-Origin values (https://app.example.com, *): browsers refuse an answer with more than one, so something in front of the app adds its own',
      );
    } finally {
      proxy.close();
    }
  });
});
