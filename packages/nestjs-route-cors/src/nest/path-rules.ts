/**
 * Path rules (`CorsModule`'s `paths`): policies for what no controller
 * declares. A rule is read like a controller's `@Cors()` (a declaration
 * site, named and validated alike) and is a route of the index that covers
 * every method at its path. Rules are tried from the most specific, whatever
 * the order they are written in; two that rank alike, can match one path and
 * have different policies stop start-up, as nothing says which is meant.
 */
import { match } from 'path-to-regexp';
import { ConfigurationProblems, CorsConfigurationError } from '../core/errors.js';
import type { IndexedRoute, RouterPathOptions } from '../core/path-index.js';
import {
  compareSpecificity,
  isLiteralShape,
  pathsCanOverlap,
  type PathShape,
  pathShape,
} from '../core/path-specificity.js';
import type { CompiledCorsPolicy, CorsDeclaration } from '../core/policy.js';
import type { DeclarationSite } from '../core/resolve-policy.js';
import type { CorsPathRule } from './cors-module-options.interface.js';
import type { AddedBeforeNest } from './cors-platform.js';

/** A rule with its path read for comparison. */
export interface OrderedRule {
  readonly rule: CorsPathRule;
  readonly shape: PathShape;
}

/** A path rule's declaration, as a controller's `@Cors()` would be: read, named and validated alike. */
export function ruleSite(rule: CorsPathRule): DeclarationSite {
  const declaration: CorsDeclaration =
    typeof rule.policy === 'string'
      ? { kind: 'named', name: rule.policy, merge: false }
      : { kind: 'inline', options: rule.policy, merge: false };
  return {
    controller: ruleName(rule),
    handler: 'every method',
    classDeclaration: declaration,
    handlerDeclaration: undefined,
  };
}

function ruleName(rule: CorsPathRule): string {
  return `the path rule for ${rule.path}`;
}

/** What a path rule is in the route table: every method at its path. */
export function ruleRoute(
  rule: CorsPathRule,
  policy: CompiledCorsPolicy | undefined,
): IndexedRoute<CompiledCorsPolicy, unknown> {
  return {
    method: 'ALL',
    path: rule.path,
    policy,
    handler: ruleName(rule),
    host: undefined,
    servesHost: undefined,
    version: undefined,
    servesVersion: undefined,
    pathRule: true,
  };
}

/** The rule's path must be one the index can match: Express 5's route syntax. */
function checkRuleSyntax(rule: CorsPathRule): true {
  try {
    match(rule.path);
    return true;
  } catch (error) {
    throw new CorsConfigurationError([
      `${ruleName(rule)} is not a route path (${error instanceof Error ? error.message : String(error)}); write it as a controller path, e.g. /assets/*file`,
    ]);
  }
}

/**
 * The rules in the order they are tried: the most specific first (Nest's
 * route specificity), the order of `paths` between rules that rank alike.
 * Problems (a path that is no route path) go to `problems`.
 */
export function orderRules(rules: readonly CorsPathRule[], problems: ConfigurationProblems): OrderedRule[] {
  const valid = rules.filter((rule) => problems.attempt(() => checkRuleSyntax(rule)) === true);
  return valid
    .map((rule, position) => ({ rule, shape: pathShape(rule.path), position }))
    .sort((a, b) => compareSpecificity(a.shape, b.shape) || a.position - b.position)
    .map(({ rule, shape }) => ({ rule, shape }));
}

/**
 * Rules that rank alike and can match one path, under different policies:
 * neither order would be what their author meant. Literal rules can only
 * meet on the same path (a Map finds them); patterns are compared pairwise
 * within their rank only, so thousands of rules are checked in proportion.
 */
export function ambiguousRules(
  ordered: readonly OrderedRule[],
  policies: ReadonlyArray<CompiledCorsPolicy | undefined>,
  matching: RouterPathOptions,
): string[] {
  const problems: string[] = [];
  const literal = new Map<string, number>();
  const patternsByRank = new Map<string, number[]>();
  ordered.forEach(({ rule, shape }, position) => {
    if (isLiteralShape(shape)) {
      // The path as the router looks it up: case folded, one trailing slash ignored, as it says.
      const cased = matching.caseSensitive ? rule.path : rule.path.toLowerCase();
      const key = matching.ignoreTrailingSlash ? cased.replace(/(.)\/+$/, '$1') : cased;
      const earlier = literal.get(key);
      if (earlier === undefined) literal.set(key, position);
      else if (policies[earlier] !== policies[position])
        problems.push(sameRankProblem(ordered, policies, earlier, position));
      return;
    }
    const rank = shape.segments.map((segment) => segment.kind).join('/');
    const peers = patternsByRank.get(rank) ?? [];
    for (const earlier of peers) {
      const other = ordered[earlier];
      if (
        other !== undefined &&
        policies[earlier] !== policies[position] &&
        pathsCanOverlap(other.shape, shape, matching.caseSensitive)
      ) {
        problems.push(sameRankProblem(ordered, policies, earlier, position));
      }
    }
    patternsByRank.set(rank, [...peers, position]);
  });
  return problems;
}

function sameRankProblem(
  ordered: readonly OrderedRule[],
  policies: ReadonlyArray<CompiledCorsPolicy | undefined>,
  first: number,
  second: number,
): string {
  const name = (position: number): string =>
    `${ordered[position]?.rule.path ?? '?'} ('${policies[position]?.name ?? 'none'}')`;
  return `the path rules for ${name(first)} and ${name(second)} can match the same path and are equally specific, so neither can be said to win: narrow one of them, or give them one policy`;
}

/** A controller route as the rule checks read it. */
interface ControllerRoute {
  readonly method: string;
  readonly path: string;
  /** In path-to-regexp syntax, where the router writes it otherwise. */
  readonly pattern?: string;
  readonly controller: { readonly name: string };
  readonly methodName: string;
}

/**
 * Rules nothing can order: equally specific, overlapping, with different
 * policies (`ambiguousRules`); and rules that share paths with a controller
 * route where the module cannot tell which of them serves a request, because
 * a static file server mounted before Nest's routes serves the files it has
 * and passes the rest on. Every problem at once.
 */
export function unorderableRules(
  ordered: readonly OrderedRule[],
  policies: ReadonlyArray<CompiledCorsPolicy | undefined>,
  controllerRoutes: readonly ControllerRoute[],
  added: AddedBeforeNest,
  matching: RouterPathOptions,
): ConfigurationProblems {
  const problems = new ConfigurationProblems();
  problems.add(...ambiguousRules(ordered, policies, matching));
  const shaped = controllerRoutes.map((route) => ({ route, shape: pathShape(route.pattern ?? route.path) }));
  for (const mount of added.mounts) {
    const mounted = pathShape(`${mount.path.replace(/\/+$/, '')}{/*rest}`);
    for (const { rule, shape } of ordered) {
      const [first, ...others] = shaped.filter(
        (controller) =>
          pathsCanOverlap(controller.shape, mounted, matching.caseSensitive) &&
          pathsCanOverlap(controller.shape, shape, matching.caseSensitive),
      );
      if (first === undefined) continue;
      const route = `${first.route.method} ${first.route.path} (${first.route.controller.name}.${first.route.methodName})${others.length > 0 ? ` and ${others.length} more controller routes` : ''}`;
      problems.add(
        `the path rule for ${rule.path} shares paths with ${route}, and ${mount.name} mounted at ${mount.path} before Nest's routes serves the files it has there first, so nothing tells which of them answers a request: narrow the rule to leave the controller routes' paths, or serve the files after Nest's routes (ServeStaticModule does)`,
      );
    }
  }
  return problems;
}
