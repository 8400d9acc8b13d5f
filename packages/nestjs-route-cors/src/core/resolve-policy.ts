/**
 * Turns the `@Cors()` declarations of a controller and one of its handlers
 * into the route's effective compiled policy, once, at start-up.
 */
import { compilePolicy, mergePolicyOptions } from './compile-policy.js';
import { ConfigurationProblems, CorsConfigurationError } from './errors.js';
import type { CompiledCorsPolicy, CorsDeclaration, CorsPolicyOptions } from './policy.js';

export interface NamedPolicy {
  readonly options: CorsPolicyOptions;
  readonly compiled: CompiledCorsPolicy;
}

/**
 * Compiles every named policy, collecting all problems before throwing;
 * `base`'s policies are kept where `policies` names no other.
 */
export function compileNamedPolicies(
  policies: Readonly<Record<string, CorsPolicyOptions>>,
  base: ReadonlyMap<string, NamedPolicy> = new Map(),
): ReadonlyMap<string, NamedPolicy> {
  const named = new Map(base);
  const problems = new ConfigurationProblems();
  for (const [name, options] of Object.entries(policies)) {
    const compiled = problems.attempt(() => compilePolicy(name, options));
    if (compiled !== undefined) named.set(name, { options, compiled });
  }
  problems.throwIfAny();
  return named;
}

/** Where a declaration was found, for names and error messages. */
export interface DeclarationSite {
  readonly controller: string;
  readonly handler: string;
  readonly classDeclaration: CorsDeclaration | undefined;
  readonly handlerDeclaration: CorsDeclaration | undefined;
}

type ActiveDeclaration = Exclude<CorsDeclaration, { kind: 'disabled' }>;

function declarationLabel(declaration: ActiveDeclaration, location: string): string {
  return declaration.kind === 'named' ? declaration.name : `inline@${location}`;
}

function namedPolicy(name: string, location: string, named: ReadonlyMap<string, NamedPolicy>): NamedPolicy {
  const policy = named.get(name);
  if (!policy) {
    const known = [...named.keys()].join(', ') || 'none';
    throw new CorsConfigurationError([`@Cors('${name}') on ${location} names an unknown policy (known: ${known})`]);
  }
  return policy;
}

function declaredOptions(
  declaration: ActiveDeclaration,
  location: string,
  named: ReadonlyMap<string, NamedPolicy>,
): CorsPolicyOptions {
  return declaration.kind === 'inline' ? declaration.options : namedPolicy(declaration.name, location, named).options;
}

function compileDeclaration(
  declaration: ActiveDeclaration,
  location: string,
  named: ReadonlyMap<string, NamedPolicy>,
): CompiledCorsPolicy {
  // A named policy is compiled once and shared by every route that names it.
  return declaration.kind === 'named'
    ? namedPolicy(declaration.name, location, named).compiled
    : compilePolicy(declarationLabel(declaration, location), declaration.options);
}

/**
 * The effective policy of a handler: its own declaration replaces the
 * controller's, unless it asks for a merge; `@Cors(false)` opts out.
 * Returns `undefined` when the route has no CORS policy.
 */
export function resolveRoutePolicy(
  site: DeclarationSite,
  named: ReadonlyMap<string, NamedPolicy>,
): CompiledCorsPolicy | undefined {
  const controllerLocation = site.controller;
  const handlerLocation = `${site.controller}.${site.handler}`;
  const own = site.handlerDeclaration;
  const inherited = site.classDeclaration?.kind === 'disabled' ? undefined : site.classDeclaration;
  if (own?.kind === 'disabled') {
    return undefined;
  }
  if (own && own.merge && inherited) {
    const options = mergePolicyOptions(
      declaredOptions(inherited, controllerLocation, named),
      declaredOptions(own, handlerLocation, named),
    );
    // Read as "the controller's policy, plus the handler's": 'frontend + ItemsController.update'.
    const added = own.kind === 'named' ? own.name : handlerLocation;
    const name = `${declarationLabel(inherited, controllerLocation)} + ${added}`;
    return compilePolicy(name, options);
  }
  if (own) {
    return compileDeclaration(own, handlerLocation, named);
  }
  return inherited ? compileDeclaration(inherited, controllerLocation, named) : undefined;
}
