/**
 * Unsafe policies refused at start-up and in replace(), unless tolerated by
 * name; CorsPolicies.audit() over a running application's routes, path rules
 * and merged policies (issue 33), on both platforms.
 */
import { Controller, Get, Module, Post } from '@nestjs/common';
import {
  Cors,
  CorsConfigurationError,
  CorsModule,
  type CorsModuleOptions,
  CorsPolicies,
  formatRouteReport,
} from 'nestjs-route-cors';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { startFixtureApp, useApp } from '../../../test/support/fixture-app.js';

@Cors('account')
@Controller('account')
class AccountController {
  @Get()
  read(): { read: true } {
    return { read: true };
  }

  @Post()
  write(): { written: true } {
    return { written: true };
  }
}

@Controller('previews')
class PreviewsController {
  @Get()
  @Cors('previews')
  list(): string[] {
    return [];
  }
}

const OPTIONS: CorsModuleOptions = {
  logRoutes: false,
  exposeRejectionReason: true,
  policies: {
    account: {
      origins: ['https://app.example.com', 'https://*.example.com'],
      methods: ['GET', 'POST'],
      credentials: true,
    },
    previews: { origins: ['https://*.vercel.app'], tolerate: ['public-suffix-pattern'], methods: ['GET'] },
    forgotten: { origins: ['https://old.example.com'], maxAge: 86_400 },
  },
  paths: [{ path: '/uploads{/*rest}', policy: { origins: '*', methods: ['GET', 'PUT'] } }],
};

function moduleWith(options: CorsModuleOptions) {
  @Module({ imports: [CorsModule.forRoot(options)], controllers: [AccountController, PreviewsController] })
  class AuditedModule {}
  return AuditedModule;
}

describe('CorsPolicies.audit() on a running application', () => {
  const running = useApp(() => startFixtureApp(moduleWith(OPTIONS)));
  const findings = (context?: Parameters<CorsPolicies['audit']>[0]) =>
    running
      .app()
      .get(CorsPolicies)
      .audit(context)
      .map(({ severity, code, policy, routes, entry }) => [severity, code, policy, routes.join('; '), entry]);

  it('finds every risk, on the routes, rules and policies that have it, most severe first', () => {
    expect(findings({ production: true })).toEqual([
      ['medium', 'pattern-with-credentials', 'account', 'GET /account; POST /account', 'https://*.example.com'],
      ['medium', 'credentials-without-csrf-protection', 'account', 'POST /account', undefined],
      [
        'medium',
        'public-policy-on-state-changing-method',
        'inline@the path rule for /uploads{/*rest}',
        'ANY /uploads{/*rest}',
        undefined,
      ],
      ['medium', 'tolerated-public-suffix-pattern', 'previews', 'GET /previews', 'https://*.vercel.app'],
      ['low', 'rejection-reason-exposed-in-production', 'CorsModule', '', undefined],
      ['info', 'unused-policy', 'forgotten', '', undefined],
      ['info', 'max-age-above-browser-cap', 'forgotten', '', undefined],
    ]);
  });

  it('leaves out what the application says it has covered', () => {
    const codes = findings({ production: false, csrfProtection: true }).map(([, code]) => code);
    expect(codes).not.toContain('credentials-without-csrf-protection');
    expect(codes).not.toContain('rejection-reason-exposed-in-production');
  });

  it('shows the tolerated entry in the route report', () => {
    expect(formatRouteReport(running.app().get(CorsPolicies).routeReport())).toMatch(
      /^ {2}previews: public-suffix-pattern "https:\/\/\*\.vercel\.app": covers the public suffix "vercel\.app"/m,
    );
  });

  it('follows replace(): a policy made strict loses its CSRF finding; an unsafe one is refused and the old one stays', async () => {
    const policies = running.app().get(CorsPolicies);
    const strict = { ...OPTIONS.policies?.['account'], strict: true };
    policies.replace('account', strict);
    expect(findings().map(([, code, policy]) => `${policy} ${code}`)).not.toContain(
      'account credentials-without-csrf-protection',
    );
    expect(() => policies.replace('account', { origins: ['null'], credentials: true })).toThrow(CorsConfigurationError);
    expect(() => policies.replace('account', { origins: ['null'], credentials: true })).toThrow(
      /Invalid CORS policy 'account': origins entry "null" allows credentials to 'null'/,
    );
    const answer = await request(running.server()).get('/account').set('Origin', 'https://app.example.com');
    expect(answer.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });
});

describe('refusing unsafe policies at start-up', () => {
  it.each<[string, CorsModuleOptions['policies'], RegExp]>([
    [
      'a pattern over a hosting platform',
      { account: { origins: ['https://*.github.io'] } },
      /Invalid CORS policy 'account': origins entry "https:\/\/\*\.github\.io" covers the public suffix "github\.io" \(Public Suffix List of tldts [\d.]+\)/,
    ],
    [
      "'null' with credentials",
      { account: { origins: ['null'], credentials: true } },
      /origins entry "null" allows credentials to 'null'.*tolerate: \['null-origin-with-credentials'\]/,
    ],
    [
      'an http:// origin with credentials',
      { account: { origins: ['http://app.example.com'], credentials: true } },
      /origins entry "http:\/\/app\.example\.com" allows credentials to an http:\/\/ origin/,
    ],
  ])('refuses %s, naming policy, entry and reason', async (_label, policies, message) => {
    const started = startFixtureApp(moduleWith({ ...OPTIONS, policies: { ...OPTIONS.policies, ...policies } }));
    await expect(started).rejects.toThrow(CorsConfigurationError);
    await expect(
      startFixtureApp(moduleWith({ ...OPTIONS, policies: { ...OPTIONS.policies, ...policies } })),
    ).rejects.toThrow(message);
  });

  it("starts with http://localhost and credentials: loopback is no network attacker's", async () => {
    const app = await startFixtureApp(
      moduleWith({
        ...OPTIONS,
        policies: {
          ...OPTIONS.policies,
          account: { origins: ['http://localhost:1234'], credentials: true, methods: ['GET', 'POST'] },
        },
      }),
    );
    try {
      const answer = await request(app.getHttpServer() as App)
        .get('/account')
        .set('Origin', 'http://localhost:1234');
      expect(answer.headers['access-control-allow-credentials']).toBe('true');
    } finally {
      await app.close();
    }
  });
});
