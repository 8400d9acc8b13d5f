/**
 * How specific a route path is, and whether two can match one request path,
 * read from their patterns (Express 5's route syntax, as path-to-regexp 8
 * parses it) before any request arrives. Path rules are tried from the most
 * specific, whatever the order they are written in, by the ranking Nest 12
 * sorts its own routes with (`routeResolutionStrategy: 'specificity'`) and
 * find-my-way approximates: a literal segment before one mixing text and
 * parameters, before a parameter, before a wildcard.
 */
import { parse, type Token } from 'path-to-regexp';

export type SegmentKind = 'literal' | 'mixed' | 'param' | 'wildcard';

/** One `/`-separated segment of a path pattern. */
interface Segment {
  readonly kind: SegmentKind;
  /** The text of a literal segment; the pattern of a mixed one, as a regular expression over one segment. */
  readonly text: string;
}

/** Rank of a segment, and of the end of a path, from the most specific. */
const RANK: Readonly<Record<SegmentKind | 'end' | 'missing', number>> = {
  literal: 0,
  end: 1,
  mixed: 2,
  param: 3,
  wildcard: 4,
  missing: 5,
};

/** Each optional group doubles the variants of a pattern: past this many groups, only the variants with all of them are compared. */
const MAX_EXPANDED_GROUPS = 6;

interface Part {
  readonly type: 'text' | 'param' | 'wildcard';
  readonly value: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function segmentOf(parts: readonly Part[]): Segment {
  if (parts.some((part) => part.type === 'wildcard')) return { kind: 'wildcard', text: '' };
  if (parts.every((part) => part.type === 'text'))
    return { kind: 'literal', text: parts.map((part) => part.value).join('') };
  if (parts.length === 1) return { kind: 'param', text: '' };
  return {
    kind: 'mixed',
    text: parts.map((part) => (part.type === 'text' ? escapeRegExp(part.value) : '[^/]+')).join(''),
  };
}

/** The segments of a flat token list (groups already chosen). */
function segmentsOf(parts: readonly Part[]): Segment[] {
  const segments: Segment[] = [];
  let current: Part[] = [];
  for (const part of parts) {
    if (part.type !== 'text') {
      current.push(part);
      continue;
    }
    const pieces = part.value.split('/');
    pieces.forEach((piece, index) => {
      if (index > 0) {
        segments.push(segmentOf(current));
        current = [];
      }
      if (piece !== '') current.push({ type: 'text', value: piece });
    });
  }
  segments.push(segmentOf(current));
  // Empty segments (before the leading '/', after a trailing one) take part in no comparison.
  return segments.filter((segment) => segment.kind !== 'literal' || segment.text !== '');
}

/** Every way to read the optional groups (present or absent), as flat parts; all present when there are too many. */
function variants(tokens: readonly Token[], expand: boolean): Part[][] {
  let results: Part[][] = [[]];
  for (const token of tokens) {
    if (token.type === 'group') {
      const inner = variants(token.tokens, expand);
      const withGroup = results.flatMap((before) => inner.map((inside) => [...before, ...inside]));
      results = expand ? [...results, ...withGroup] : withGroup;
    } else {
      const part: Part = { type: token.type, value: token.type === 'text' ? token.value : token.name };
      results = results.map((before) => [...before, part]);
    }
  }
  return results;
}

function countGroups(tokens: readonly Token[]): number {
  return tokens.reduce((count, token) => count + (token.type === 'group' ? 1 + countGroups(token.tokens) : 0), 0);
}

/** A pattern read for comparison: its segments with every group present, and every variant for overlaps. */
export interface PathShape {
  readonly path: string;
  readonly segments: readonly Segment[];
  readonly variants: ReadonlyArray<readonly Segment[]>;
}

/** Reads a route pattern; a path path-to-regexp cannot parse is read segment by segment, by each one's first character. */
export function pathShape(path: string): PathShape {
  let tokens: Token[];
  try {
    tokens = parse(path).tokens;
  } catch {
    const segments = path
      .split('/')
      .filter((text) => text !== '')
      .map((text): Segment => ({
        kind: text.startsWith('*') ? 'wildcard' : text.startsWith(':') ? 'param' : 'literal',
        text,
      }));
    return { path, segments, variants: [segments] };
  }
  const [full = []] = variants(tokens, false);
  const expanded = countGroups(tokens) <= MAX_EXPANDED_GROUPS ? variants(tokens, true) : [full];
  return { path, segments: segmentsOf(full), variants: expanded.map(segmentsOf) };
}

function endRank(segments: readonly Segment[]): number {
  return segments.some((segment) => segment.kind === 'wildcard') ? RANK.missing : RANK.end;
}

/** Negative when `a` is more specific than `b`, positive when less, 0 when they rank alike. */
export function compareSpecificity(a: PathShape, b: PathShape): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let index = 0; index < length; index += 1) {
    const left = a.segments[index];
    const right = b.segments[index];
    const delta =
      (left === undefined ? endRank(a.segments) : RANK[left.kind]) -
      (right === undefined ? endRank(b.segments) : RANK[right.kind]);
    if (delta !== 0) return delta;
  }
  return 0;
}

function segmentsCanOverlap(a: Segment, b: Segment, caseSensitive: boolean): boolean {
  if (a.kind === 'literal' && b.kind === 'literal') {
    return caseSensitive ? a.text === b.text : a.text.toLowerCase() === b.text.toLowerCase();
  }
  const literal = a.kind === 'literal' ? a : b.kind === 'literal' ? b : undefined;
  const mixed = a.kind === 'mixed' ? a : b.kind === 'mixed' ? b : undefined;
  if (literal && mixed) {
    return new RegExp(`^${mixed.text}$`, caseSensitive ? '' : 'i').test(literal.text);
  }
  // A parameter or wildcard takes any segment; two mixed segments are taken to overlap.
  return true;
}

function variantsCanOverlap(a: readonly Segment[], b: readonly Segment[], caseSensitive: boolean): boolean {
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  // Only a wildcard ending the shorter one can take the longer one's extra segments.
  if (shorter.length !== longer.length && shorter[shorter.length - 1]?.kind !== 'wildcard') return false;
  return shorter.every((segment, index) => {
    const other = longer[index];
    return other !== undefined && segmentsCanOverlap(segment, other, caseSensitive);
  });
}

/** Whether some request path can match both patterns. */
export function pathsCanOverlap(a: PathShape, b: PathShape, caseSensitive: boolean): boolean {
  return a.variants.some((left) => b.variants.some((right) => variantsCanOverlap(left, right, caseSensitive)));
}

/** Whether the pattern is plain text: it matches one path only. */
export function isLiteralShape(shape: PathShape): boolean {
  return shape.variants.length === 1 && shape.segments.every((segment) => segment.kind === 'literal');
}
