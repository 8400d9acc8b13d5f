/**
 * What a decision looks like from outside: the event published on the
 * `nestjs-route-cors:decision` diagnostics channel for every preflight,
 * actual request and gateway handshake, and, in report-only mode, how the
 * answer the application sent compares with the policy's. Framework-free:
 * built from the decision, the request's facts and the headers written.
 * Every field but `route` and `disagreement` takes a bounded set of values,
 * so that metrics can carry them as labels (never the origin or the path).
 */
import type { CorsDecision, CorsRequestFacts } from './cors-decision.js';
import { parseHeaderList } from './cors-decision.js';
import { staticOriginMatch } from './origin-matcher.js';
import type { CompiledCorsPolicy, CorsMode } from './policy.js';
import type { CorsRejection } from './rejections.js';

/** The `node:diagnostics_channel` name decisions are published on. */
export const DECISION_CHANNEL = 'nestjs-route-cors:decision';

export type CorsEventKind = 'preflight' | 'actual' | 'handshake';
export type CorsOutcome = 'allowed' | 'refused' | 'not-cors';

/**
 * How the request's origin stands with its policy: in the list, under a
 * pattern, allowed by the predicate, under a public (`'*'`) policy, the
 * request's own origin, none of these, or no `Origin` at all.
 */
export type CorsOriginClass = 'listed' | 'pattern' | 'predicate' | 'public' | 'same-origin' | 'unlisted' | 'none';

/** The CORS headers an answer carries, as a browser reads them, and whether the browser lets the page read it. */
export interface CorsAnswerSummary {
  readonly allowed: boolean;
  readonly allowOrigin: string | undefined;
  readonly allowCredentials: string | undefined;
  /** Preflights only. */
  readonly allowMethods?: string | undefined;
  readonly allowHeaders?: string | undefined;
}

/** In report-only mode, where the policy's answer and the one the application sent differ. */
export interface CorsDisagreement {
  /** What the policy would have written. */
  readonly policy: CorsAnswerSummary;
  /** What the application actually sent (another CORS layer's answer, or none). */
  readonly sent: CorsAnswerSummary;
}

/** One decision, as published on `nestjs-route-cors:decision`. */
export interface CorsDecisionEvent {
  readonly kind: CorsEventKind;
  readonly outcome: CorsOutcome;
  readonly mode: CorsMode;
  /** The policy's name; `(none)` where no policy could answer (a path read two ways, a preflight no handler serves). */
  readonly policy: string;
  /** The refusal's code; undefined when not refused. */
  readonly code: CorsRejection['code'] | undefined;
  /** The route's path as declared (`/items/:id`), the path rule's, or the gateway's; undefined when none is known. */
  readonly route: string | undefined;
  readonly originClass: CorsOriginClass;
  /** Report-only mode only, when the answer sent and the policy's differ. */
  readonly disagreement?: CorsDisagreement;
}

/** Whether the decision tells that the origin itself was allowed (a preflight refused later, for a method or a header). */
function originPassed(decision: CorsDecision): boolean {
  if (decision.kind === 'not-cors') return false;
  const code = decision.rejection?.code;
  return (
    code === undefined ||
    (decision.kind === 'preflight' && (code === 'method-not-allowed' || code === 'header-not-allowed'))
  );
}

/** How the request's origin stands with the policy that decided it. */
export function originClassOf(
  facts: Pick<CorsRequestFacts, 'origin' | 'selfOrigin'>,
  decision: CorsDecision,
): CorsOriginClass {
  const { origin } = facts;
  if (origin === undefined) return 'none';
  const policy: CompiledCorsPolicy | undefined = decision.policy;
  const matched = policy && staticOriginMatch(policy, origin);
  if (matched !== undefined) return matched;
  if (origin === facts.selfOrigin) return 'same-origin';
  return policy?.originPredicate !== undefined && originPassed(decision) ? 'predicate' : 'unlisted';
}

export function outcomeOf(decision: CorsDecision): CorsOutcome {
  if (decision.kind === 'not-cors') return 'not-cors';
  return decision.allowed ? 'allowed' : 'refused';
}

/** A header's value among a decision's headers. */
function decided(decision: CorsDecision, name: string): string | undefined {
  return decision.headers.find(([header]) => header === name)?.[1];
}

/** Fetch §3.2.5's CORS-safelisted methods: a preflight answer need not list them. */
const SAFELISTED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST']);

function listCovers(list: string | undefined, wanted: readonly string[], caseSensitive: boolean): boolean {
  const names = parseHeaderList(list);
  if (names.includes('*')) return true;
  const have = caseSensitive ? (list ?? '').split(',').map((value) => value.trim()) : names;
  return wanted.every((name) => have.includes(name));
}

/**
 * Whether a browser lets the page read an answer carrying these headers
 * (Fetch §4.9 CORS check, §4.8 preflight): the origin echoed or `*`; for a
 * preflight, also the method asked about (unless safelisted) and every
 * header asked for.
 */
function browserAllows(
  facts: Pick<CorsRequestFacts, 'origin' | 'requestMethod' | 'requestHeaders'>,
  preflight: boolean,
  headers: Omit<CorsAnswerSummary, 'allowed'>,
): boolean {
  const { allowOrigin } = headers;
  if (allowOrigin === undefined || (allowOrigin !== '*' && allowOrigin !== facts.origin)) return false;
  if (!preflight) return true;
  const method = facts.requestMethod ?? '';
  return (
    (SAFELISTED_METHODS.has(method) || listCovers(headers.allowMethods, [method], true)) &&
    listCovers(headers.allowHeaders, parseHeaderList(facts.requestHeaders), false)
  );
}

/** What an answer carries, read with `read` (a header's value by its canonical name). */
export function answerSummary(
  facts: Pick<CorsRequestFacts, 'origin' | 'requestMethod' | 'requestHeaders'>,
  preflight: boolean,
  read: (name: string) => string | undefined,
): CorsAnswerSummary {
  const headers = {
    allowOrigin: read('Access-Control-Allow-Origin'),
    allowCredentials: read('Access-Control-Allow-Credentials'),
    ...(preflight
      ? { allowMethods: read('Access-Control-Allow-Methods'), allowHeaders: read('Access-Control-Allow-Headers') }
      : {}),
  };
  return { allowed: browserAllows(facts, preflight, headers), ...headers };
}

/**
 * Where the answer the application sent differs from the policy's: one lets
 * the page read it and the other not, or they differ in
 * `Access-Control-Allow-Origin` or `-Credentials`. Undefined when they agree,
 * and for a request that is not CORS (a browser checks nothing there).
 */
export function disagreementOf(
  facts: Pick<CorsRequestFacts, 'origin' | 'requestMethod' | 'requestHeaders'>,
  decision: CorsDecision,
  sent: (name: string) => string | undefined,
): CorsDisagreement | undefined {
  if (decision.kind === 'not-cors') return undefined;
  const preflight = decision.kind === 'preflight';
  // What the policy decided, not what its headers would let a browser do: the two agree, and this one is the decision.
  const policy = { ...answerSummary(facts, preflight, (name) => decided(decision, name)), allowed: decision.allowed };
  const actual = answerSummary(facts, preflight, sent);
  const agree =
    policy.allowed === actual.allowed &&
    policy.allowOrigin === actual.allowOrigin &&
    policy.allowCredentials === actual.allowCredentials;
  return agree ? undefined : { policy, sent: actual };
}
