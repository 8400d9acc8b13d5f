/**
 * The allowlists the benchmark loads: the article's two origins, and a large
 * one (1,000 exact origins and 50 patterns) whose allowed origin is listed
 * last, the worst case for a list scanned per request.
 */
export const ALLOWED_ORIGIN = 'http://localhost:1234';
export const DISALLOWED_ORIGIN = 'https://evil.example.org';

export const TWO_ORIGINS: readonly string[] = [ALLOWED_ORIGIN, 'https://app.example.com'];

export const LARGE_ALLOWLIST: readonly string[] = [
  ...Array.from({ length: 50 }, (_, i) => `https://*.tenant-${i}.example.net`),
  ...Array.from({ length: 999 }, (_, i) => `https://app-${i}.customer.example`),
  ALLOWED_ORIGIN,
];

/** `https://*.x.y` as the RegExp expressjs/cors needs for the same rule. */
export function patternToRegExp(pattern: string): RegExp {
  const [scheme = '', domain = ''] = pattern.split('://*.');
  const escaped = domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${scheme}://([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+${escaped}$`);
}
