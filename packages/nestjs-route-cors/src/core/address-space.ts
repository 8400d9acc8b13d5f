/**
 * Address spaces as Local Network Access names them (WICG, Chrome 142+):
 * `loopback` (the user's machine), `local` (private networks) and `public`.
 * A page may reach a less public space only with the user's permission,
 * asked before CORS is checked. Judged from the host as written: a name other
 * than `localhost` or a `.local` one is not resolved, so its space is unknown.
 */
import { isLoopbackHost } from './unsafe-origins.js';

export type AddressSpace = 'loopback' | 'local' | 'public';

/** From the most public: a request to a later space than its page's is a local network request. */
const ORDER: readonly AddressSpace[] = ['public', 'local', 'loopback'];

/** RFC 1918, RFC 3927 link-local, RFC 6598 shared (carrier-grade NAT). */
const PRIVATE_IPV4 = [
  /^10\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^192\.168\./,
  /^169\.254\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
];
/** RFC 4193 unique local (fc00::/7) and link-local (fe80::/10) IPv6, in brackets as URLs write them. */
const PRIVATE_IPV6 = /^\[(f[cd][0-9a-f]{0,2}|fe[89ab][0-9a-f]?):/i;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/** The address space of a host name or IP literal; undefined for a name only DNS can place. */
export function addressSpaceOf(hostname: string): AddressSpace | undefined {
  const host = hostname.toLowerCase();
  if (isLoopbackHost(host)) return 'loopback';
  if (host.endsWith('.local') || PRIVATE_IPV6.test(host) || PRIVATE_IPV4.some((range) => range.test(host)))
    return 'local';
  if (IPV4.test(host) || host.startsWith('[')) return 'public';
  return undefined;
}

/**
 * The target's address space when a page on `origin` needs the user's
 * permission to reach `host` (a less public space); undefined otherwise or
 * when either space is unknown. A name that is neither loopback nor local
 * counts as public for the page (what a page on the internet has).
 */
export function localNetworkAccessNeeded(origin: string, host: string): AddressSpace | undefined {
  if (origin === 'null') return undefined;
  const from = addressSpaceOf(new URL(origin).hostname) ?? 'public';
  const to = addressSpaceOf(host.replace(/:\d+$/, ''));
  return to !== undefined && ORDER.indexOf(to) > ORDER.indexOf(from) ? to : undefined;
}
