/**
 * The other ways a server may read a request's path. The router matches the
 * path as sent (Express) or decoded (Fastify), but what serves a path rule
 * often normalises it first: `new URL()` resolves dot segments (`%2e`
 * included) and reads `\` as `/`, as a WebSocket server routing by
 * `new URL(req.url).pathname` does; a static file server decodes every
 * escape (`%2F` included), merges repeated slashes and resolves dot
 * segments (`send`, under `express.static` and `@fastify/static`). A policy
 * chosen on one reading must not answer for the file another reading
 * serves: the decision compares the policies of every reading and fails
 * closed when they differ.
 */
import { posix } from 'node:path';

/** What some reading changes: an escape, a backslash, a dot segment (or a dot file: read alike, but rare) or an empty segment. */
const READ_OTHERWISE = /[%\\]|\/\.|\/\//;
const SLASH = 47;
const NO_READINGS: readonly string[] = Object.freeze([]);

/** A segment that may be a dot segment: `.` or `%2e` right after a slash. */
const MAY_HAVE_DOT_SEGMENT = /\/(?:\.|%2e)/i;

/** WHATWG URL §4.4 "single-dot segment": `.` or `%2e`, case-insensitively. */
function isSingleDot(segment: string): boolean {
  return segment === '.' || segment.toLowerCase() === '%2e';
}

/** WHATWG URL §4.4 "double-dot segment": `..`, `.%2e`, `%2e.` or `%2e%2e`, case-insensitively. */
function isDoubleDot(segment: string): boolean {
  if (segment === '..') return true;
  const lower = segment.toLowerCase();
  return lower === '.%2e' || lower === '%2e.' || lower === '%2e%2e';
}

/** The longest dot segment (`%2e%2e`): a longer segment is not read as one. */
const LONGEST_DOT_SEGMENT = 6;

/**
 * Resolves the dot segments of an absolute path as `new URL()` does (WHATWG
 * URL §4.4, path state): `/a/./b/%2e%2E/c` is `/a/c`; a dot segment at the
 * end leaves a trailing slash; `..` never climbs above the root; empty
 * segments (`//`) are kept. One pass over the path, keeping the segments as
 * offsets into it (a path of thousands of segments makes no string of each).
 */
export function resolveDotSegments(path: string): string {
  if (!MAY_HAVE_DOT_SEGMENT.test(path)) return path;
  // Each kept segment, slash included, as [start, end) in `path`.
  const kept: Array<readonly [number, number]> = [];
  let trailingSlash = false;
  for (let start = 0; start < path.length;) {
    const next = path.indexOf('/', start + 1);
    const end = next === -1 ? path.length : next;
    const segment = end - start - 1 <= LONGEST_DOT_SEGMENT ? path.slice(start + 1, end) : undefined;
    const single = segment !== undefined && isSingleDot(segment);
    const double = segment !== undefined && !single && isDoubleDot(segment);
    if (double) kept.pop();
    if (!single && !double) kept.push([start, end]);
    trailingSlash = (single || double) && end === path.length;
    start = end;
  }
  const resolved = kept.map(([start, end]) => path.slice(start, end)).join('');
  return trailingSlash || resolved === '' ? `${resolved}/` : resolved;
}

/**
 * The longest path whose readings are computed, where path rules make them
 * matter: reading a path costs several passes over it, and a longer one is
 * answered without CORS (no browser page needs a 2 KB path; an attacker
 * sends 16 KB ones).
 */
export const MAX_READ_PATH_LENGTH = 2_048;

/** Where a request target's path ends: at `?` or `#` (found by a character search, not a regular expression). */
function pathEnd(target: string, from: number): number {
  const query = target.indexOf('?', from);
  const fragment = target.indexOf('#', from);
  if (query === -1) return fragment === -1 ? target.length : fragment;
  return fragment === -1 || query < fragment ? query : fragment;
}

/** The path of a request target: origin-form up to `?` or `#`, absolute-form after its authority; undefined for `*` and authority-form. */
function targetPath(target: string): string | undefined {
  if (target.charCodeAt(0) === SLASH) {
    return target.slice(0, pathEnd(target, 1));
  }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (scheme === null) return undefined;
  const path = target.slice(scheme[0].length, pathEnd(target, scheme[0].length));
  return path === '' ? '/' : path;
}

/** What `new URL()` makes of the path: backslashes as slashes, dot segments resolved (escaped ones too). */
function urlReading(path: string): string {
  return resolveDotSegments(path.replaceAll('\\', '/'));
}

/**
 * What a static file server serves (`send`): every escape decoded, then the
 * path normalised (repeated slashes merged, dot segments resolved);
 * undefined when an escape is malformed (it answers 400).
 */
function fileReading(path: string): string | undefined {
  try {
    return posix.normalize(decodeURIComponent(path));
  } catch {
    return undefined;
  }
}

/**
 * The readings of `target`'s path that a layer behind the router may serve:
 * its path (for an absolute-form target), what `new URL()` reads and what a
 * file server reads, each once; the caller compares them with the router's
 * own reading. An origin-form path that no reading changes has none:
 * telling that is one pass over the path.
 */
export function otherPathReadings(target: string): readonly string[] {
  const path = targetPath(target);
  if (path === undefined || (target.charCodeAt(0) === SLASH && !READ_OTHERWISE.test(path))) return NO_READINGS;
  const readings: string[] = [];
  for (const reading of [path, urlReading(path), fileReading(path)]) {
    if (reading !== undefined && !readings.includes(reading)) readings.push(reading);
  }
  return readings;
}
