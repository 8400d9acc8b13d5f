/**
 * Allowlist entries that compile but hand a user's data to people the author
 * did not mean: a wildcard over a public suffix (every customer of a hosting
 * platform owns a subdomain), `null` with credentials (any sandboxed iframe or
 * `data:` page sends `Origin: null`) and an `http://` origin with credentials
 * (a network attacker injects a page on it). Each is refused at start-up
 * unless the policy's `tolerate` names it (CWE-942); jub0bs/cors refuses the
 * same cases in Go. Runs at start-up only.
 */
import { getPublicSuffix } from 'tldts';
import type { OriginPattern, ToleratedCase, ToleratedRisk } from './policy.js';

/** The names `tolerate` accepts, one per refused case. */
export const TOLERABLE_RISKS: readonly ToleratedRisk[] = [
  'public-suffix-pattern',
  'null-origin-with-credentials',
  'insecure-origin-with-credentials',
];

/**
 * Where the public suffixes come from: the Public Suffix List as tldts ships
 * it. tldts is pinned to one release, so a start-up that passed CI refuses
 * the same patterns in production; src/core/unsafe-origins.spec.ts holds this
 * to the installed tldts.
 */
export const PUBLIC_SUFFIX_LIST = 'Public Suffix List of tldts 7.6.4';

/** A label no rule of the list names: a child of a domain under a wildcard rule (`*.ck`) is a public suffix itself. */
const PROBE_LABEL = 'nestjs-route-cors-probe';

function isPublicSuffix(host: string): boolean {
  // Private suffixes count: `vercel.app` and `github.io` are in the list's private section.
  return getPublicSuffix(host, { allowPrivateDomains: true }) === host;
}

/**
 * The public suffix a pattern's wildcard covers, or undefined: its domain is
 * one (`*.vercel.app`, `*.co.uk`), or the list makes every child of it one
 * (a wildcard rule). Suffixes the list names further down (`s3.amazonaws.com`
 * under `*.amazonaws.com`) are not seen: tldts answers for a host, not for
 * the names under it (docs/limits.md).
 */
export function coveredPublicSuffix(pattern: OriginPattern): string | undefined {
  const domain = new URL(`${pattern.schemePrefix}${pattern.hostSuffix.slice(1)}`).hostname;
  if (isPublicSuffix(domain)) return domain;
  const child = `${PROBE_LABEL}.${domain}`;
  return isPublicSuffix(child) ? `every name under ${domain}` : undefined;
}

/**
 * Whether a host is loopback: `localhost` and names under it, 127.0.0.0/8,
 * `[::1]`. Browsers count such origins as potentially trustworthy (Secure
 * Contexts §3.1) and send them only to the user's own machine, where no
 * network attacker can inject a page, so `http://` is no risk there.
 */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname) ||
    hostname === '[::1]'
  );
}

/** An `http:` origin or pattern that is not loopback. */
function isInsecure(originOrPattern: string): boolean {
  if (!originOrPattern.startsWith('http://')) return false;
  const hostname = new URL(originOrPattern.replace('://*.', '://')).hostname;
  return !isLoopbackHost(hostname);
}

/**
 * The refused cases in a policy's normalised allowlist, each with a sentence
 * saying why. `patterns` are the parsed patterns of `origins`.
 */
export function unsafeOrigins(
  exact: readonly string[],
  patterns: readonly OriginPattern[],
  credentials: boolean,
): ToleratedCase[] {
  const cases: ToleratedCase[] = [];
  for (const pattern of patterns) {
    const suffix = coveredPublicSuffix(pattern);
    if (suffix !== undefined) {
      cases.push({
        risk: 'public-suffix-pattern',
        entry: pattern.source,
        reason: `covers the public suffix ${suffix.startsWith('every') ? suffix : `"${suffix}"`} (${PUBLIC_SUFFIX_LIST}): anyone can own a subdomain there and read what the policy allows`,
      });
    }
  }
  if (!credentials) return cases;
  if (exact.includes('null')) {
    cases.push({
      risk: 'null-origin-with-credentials',
      entry: 'null',
      reason: "allows credentials to 'null', which any sandboxed iframe, data: URL or file: page sends",
    });
  }
  for (const entry of [...exact, ...patterns.map((p) => p.source)].filter(isInsecure)) {
    cases.push({
      risk: 'insecure-origin-with-credentials',
      entry,
      reason: 'allows credentials to an http:// origin, where a network attacker can inject a page that reads them',
    });
  }
  return cases;
}

/** The error sentence for a case the policy does not tolerate. */
export function refusalOf(unsafe: ToleratedCase): string {
  return `origins entry "${unsafe.entry}" ${unsafe.reason}; name the origins you own, or add tolerate: ['${unsafe.risk}']`;
}

export function isToleratedRisk(value: unknown): value is ToleratedRisk {
  return TOLERABLE_RISKS.some((risk) => risk === value);
}
