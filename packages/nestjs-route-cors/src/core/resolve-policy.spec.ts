import { CorsConfigurationError } from './errors.js';
import { compileNamedPolicies, resolveRoutePolicy, type DeclarationSite } from './resolve-policy.js';
import type { CorsDeclaration } from './policy.js';

const named = compileNamedPolicies({
  frontend: { origins: ['https://app.example.com'], methods: ['POST'], allowedHeaders: ['Content-Type'], maxAge: 60 },
  public: { origins: '*', methods: ['GET'] },
});

const frontend: CorsDeclaration = { kind: 'named', name: 'frontend', merge: false };

function site(classDeclaration?: CorsDeclaration, handlerDeclaration?: CorsDeclaration): DeclarationSite {
  return { controller: 'ItemsController', handler: 'update', classDeclaration, handlerDeclaration };
}

describe('resolveRoutePolicy', () => {
  it("uses the controller's policy when the handler declares none", () => {
    expect(resolveRoutePolicy(site(frontend), named)?.name).toBe('frontend');
  });

  it('shares one compiled object between the routes that name a policy', () => {
    expect(resolveRoutePolicy(site(frontend), named)).toBe(named.get('frontend')?.compiled);
  });

  it("replaces the controller's policy with the handler's by default", () => {
    expect(resolveRoutePolicy(site(frontend, { kind: 'named', name: 'public', merge: false }), named)?.name).toBe(
      'public',
    );
  });

  it('merges when the handler asks: lists united, handler scalars win', () => {
    const policy = resolveRoutePolicy(
      site(frontend, {
        kind: 'inline',
        options: { methods: ['DELETE'], allowedHeaders: ['X-Trace'], maxAge: 5 },
        merge: true,
      }),
      named,
    );
    // Read as "the controller's policy, plus the handler's".
    expect(policy?.name).toBe('frontend + ItemsController.update');
    expect(policy?.declared).toMatchObject({
      origins: ['https://app.example.com'],
      methods: ['POST', 'DELETE'],
      allowedHeaders: ['Content-Type', 'X-Trace'],
      maxAge: 5,
    });
  });

  it('lets a handler opt out of its controller policy', () => {
    expect(resolveRoutePolicy(site(frontend, { kind: 'disabled' }), named)).toBeUndefined();
  });

  it('has no policy when nothing is declared', () => {
    expect(resolveRoutePolicy(site(), named)).toBeUndefined();
  });

  it('names inline policies after where they are declared', () => {
    const inline: CorsDeclaration = { kind: 'inline', options: { origins: ['https://a.test'] }, merge: false };
    expect(resolveRoutePolicy(site(inline), named)?.name).toBe('inline@ItemsController');
    expect(resolveRoutePolicy(site(undefined, inline), named)?.name).toBe('inline@ItemsController.update');
  });

  it('refuses an unknown policy name, naming the handler and the known policies', () => {
    const unknown: CorsDeclaration = { kind: 'named', name: 'frontedn', merge: false };
    expect(() => resolveRoutePolicy(site(undefined, unknown), named)).toThrow(CorsConfigurationError);
    expect(() => resolveRoutePolicy(site(undefined, unknown), named)).toThrow(
      "@Cors('frontedn') on ItemsController.update names an unknown policy (known: frontend, public)",
    );
  });

  it('refuses a merge whose result is invalid', () => {
    const merged: CorsDeclaration = { kind: 'inline', options: { credentials: true }, merge: true };
    expect(() => resolveRoutePolicy(site({ kind: 'named', name: 'public', merge: false }, merged), named)).toThrow(
      /credentials/,
    );
  });
});

describe('compileNamedPolicies', () => {
  it('reports every invalid policy in one error', () => {
    expect(() =>
      compileNamedPolicies({ a: { origins: ['https://a.test/'] }, b: { origins: '*', credentials: true } }),
    ).toThrow(/Invalid CORS configuration:\n {2}- Invalid CORS policy 'a': .*\n {2}- Invalid CORS policy 'b': /);
  });
});
