/**
 * Parsing of allowlist entries: exact origins and `*.` subdomain patterns.
 * Runs at start-up only. Each failure explains what is wrong with the entry so
 * the caller can prefix the setting's name.
 */
import type { OriginPattern } from './policy.js';

/** An allowlist entry that can never match a browser's `Origin` header. */
export class OriginSyntaxError extends Error {}

const ORIGIN_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
const PATTERN_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/\*\.(.*)$/s;
const IP_HOST = /^(\d+(\.\d+){3}|\[.*\])$/;
/** RFC 1035 §2.3.4: a host name has at most 253 characters. */
export const MAX_HOST_LENGTH = 253;

/**
 * Returns the entry as browsers serialise an origin (lower-case scheme and
 * host, punycode, no default port), or throws an {@link OriginSyntaxError}.
 * `null` (sandboxed iframes, `file:` pages) passes through unchanged.
 */
export function normaliseOrigin(entry: string): string {
  if (entry === 'null') {
    return entry;
  }
  if (/\s/.test(entry)) {
    throw new OriginSyntaxError(`"${entry}" contains whitespace`);
  }
  const parts = ORIGIN_SHAPE.exec(entry);
  if (!parts) {
    throw new OriginSyntaxError(`"${entry}" is not an origin; write it as scheme://host[:port]`);
  }
  const [, scheme = '', authority = '', rest = ''] = parts;
  const lowerScheme = scheme.toLowerCase();
  if (lowerScheme !== 'http' && lowerScheme !== 'https') {
    throw new OriginSyntaxError(`"${entry}" uses the scheme "${scheme}"; only http and https origins are supported`);
  }
  if (rest === '/') {
    throw new OriginSyntaxError(`"${entry}" has a trailing slash; write it as "${scheme}://${authority}"`);
  }
  if (rest !== '') {
    throw new OriginSyntaxError(`"${entry}" has a path, query or fragment; an origin is scheme://host[:port] only`);
  }
  if (authority.includes('@')) {
    throw new OriginSyntaxError(`"${entry}" contains user info ("@"); an origin is scheme://host[:port] only`);
  }
  if (authority.includes('*')) {
    throw new OriginSyntaxError(`"${entry}": '*' must be the whole leftmost label, as in https://*.example.com`);
  }
  let url: URL;
  try {
    url = new URL(`${lowerScheme}://${authority}`);
  } catch {
    throw new OriginSyntaxError(`"${entry}" is not a valid origin`);
  }
  return url.origin;
}

/** True when the entry is meant as a pattern rather than an exact origin. */
export function isOriginPattern(entry: string): boolean {
  return entry.includes('*');
}

/**
 * Splits a `scheme://*.domain[:port]` pattern once. The `*` stands for one or
 * more whole DNS labels; the domain must have at least two labels so that a
 * pattern never covers a whole top-level domain.
 */
export function parseOriginPattern(entry: string): OriginPattern {
  const parts = PATTERN_SHAPE.exec(entry);
  if (!parts || (parts[2] ?? '').includes('*')) {
    throw new OriginSyntaxError(`"${entry}": '*' must be the whole leftmost label, as in https://*.example.com`);
  }
  const [, scheme = '', domain = ''] = parts;
  const base = normaliseOrigin(`${scheme}://${domain}`);
  const hostAndPort = base.slice(base.indexOf('://') + 3);
  const hostname = new URL(base).hostname;
  if (IP_HOST.test(hostname)) {
    throw new OriginSyntaxError(`"${entry}": a wildcard applies to domain names, not to IP addresses`);
  }
  if (!hostname.includes('.')) {
    throw new OriginSyntaxError(`"${entry}" covers the whole top-level domain "${hostname}"; name a registered domain`);
  }
  const schemePrefix = base.slice(0, base.indexOf('://') + 3);
  return {
    source: `${schemePrefix}*.${hostAndPort}`,
    schemePrefix,
    hostSuffix: `.${hostAndPort}`,
    maxLabelsLength: MAX_HOST_LENGTH - hostname.length - 1,
  };
}
