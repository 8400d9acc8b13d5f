/**
 * What both benchmarks load: the targets (each started as its own process)
 * and the workloads sent to `/greet`.
 */
import { join } from 'node:path';
import { NEST11_BUILD } from './nest11.js';
import { ALLOWED_ORIGIN, DISALLOWED_ORIGIN, LARGE_ALLOWLIST, TWO_ORIGINS } from './policies.js';

export type Platform = 'express' | 'fastify';

export interface Target {
  /** Short name for `--targets`. */
  readonly id: string;
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly allowlist: readonly string[];
  /** Whether it implements CORS (the floor does not). */
  readonly cors: boolean;
  /** The HTTP platform Nest runs on (`HTTP_ADAPTER`); `node:http` counts as Express's. */
  readonly platform: Platform;
  /** The Nest major it runs on: 12 from the repository's install, 11 from bench/nest11's (see nest11.ts). */
  readonly nest: 11 | 12;
}

const nest = (variant: string) => ({
  script: 'nest-target.js',
  args: [variant],
  platform: 'express' as const,
  nest: 12 as const,
});
const onFastify = (target: Target): Target => ({
  ...target,
  id: `fastify-${target.id}`,
  name: `${target.name}, Fastify`,
  platform: 'fastify',
});

const EXPRESS_TARGETS: readonly Target[] = [
  { id: 'floor', name: 'no CORS (floor)', ...nest('no-cors'), allowlist: TWO_ORIGINS, cors: false },
  { id: 'ours', name: '@Cors() (ours)', ...nest('cors-module'), allowlist: TWO_ORIGINS, cors: true },
  {
    id: 'ours-predicate',
    name: '@Cors() cached predicate',
    ...nest('cors-predicate'),
    allowlist: TWO_ORIGINS,
    cors: true,
  },
  { id: 'enable-cors', name: 'app.enableCors()', ...nest('enable-cors'), allowlist: TWO_ORIGINS, cors: true },
  {
    id: 'report-only',
    name: '@Cors() report-only beside enableCors()',
    ...nest('report-only'),
    allowlist: TWO_ORIGINS,
    cors: true,
  },
  {
    id: 'plain',
    name: 'node:http by hand',
    script: 'plain-target.js',
    args: [],
    allowlist: TWO_ORIGINS,
    cors: true,
    platform: 'express',
    nest: 12,
  },
  { id: 'ours-large', name: '@Cors() 1000+50', ...nest('cors-module'), allowlist: LARGE_ALLOWLIST, cors: true },
  {
    id: 'enable-cors-large',
    name: 'enableCors() 1000+50',
    ...nest('enable-cors'),
    allowlist: LARGE_ALLOWLIST,
    cors: true,
  },
  // Where the cost of @Cors() goes: the hook cut short after each stage (bench/targets/split.ts).
  ...['facts', 'lookup', 'decide', 'write'].map((stage) => ({
    id: `split-${stage}`,
    name: `@Cors() cut after ${stage}`,
    ...nest(`split-${stage}`),
    allowlist: TWO_ORIGINS,
    cors: true,
  })),
  {
    id: 'empty-interceptor',
    name: 'floor + empty interceptor',
    ...nest('empty-interceptor'),
    allowlist: TWO_ORIGINS,
    cors: false,
  },
];

/**
 * The slot the package's hook sits in, holding one that does nothing: what the
 * slot costs before any CORS work, the share of ours over the floor that is not
 * CORS. On Express the first `app.use()`; on Fastify
 * `FastifyAdapter.setOnRequestHook()`; each of these two runs on its platform
 * only. And the slot holding constant CORS answers, on both platforms: what
 * CORS costs there without a route, a lookup or a decision.
 */
const CONSTANT_CORS_HOOK: Target = {
  id: 'constant-cors-hook',
  name: 'floor + constant CORS answers in the slot',
  ...nest('constant-cors-hook'),
  allowlist: TWO_ORIGINS,
  cors: true,
};

const SLOT_TARGETS: readonly Target[] = [
  CONSTANT_CORS_HOOK,
  onFastify(CONSTANT_CORS_HOOK),
  {
    id: 'empty-middleware',
    name: 'floor + empty middleware',
    ...nest('empty-middleware'),
    allowlist: TWO_ORIGINS,
    cors: false,
  },
  {
    id: 'fastify-empty-hook',
    name: 'floor + empty request hook, Fastify',
    ...nest('empty-request-hook'),
    platform: 'fastify',
    allowlist: TWO_ORIGINS,
    cors: false,
  },
];

/**
 * What no controller declares (GraphQL's endpoint, static files, Swagger): POST /greet as a route added on the
 * adapter, without CORS and under a path rule with the same policy as the controller route's, so that what a rule
 * path costs over its own floor compares with what @Cors() costs over the controller's.
 */
const RULE_TARGETS: readonly Target[] = [
  {
    id: 'adapter-route',
    name: 'adapter route, no CORS',
    ...nest('adapter-route'),
    allowlist: TWO_ORIGINS,
    cors: false,
  },
  {
    id: 'path-rule',
    name: 'adapter route under a path rule',
    ...nest('cors-path-rule'),
    allowlist: TWO_ORIGINS,
    cors: true,
  },
];

/** The same service code on Nest 11 (the last CommonJS major), Express: `nest11-floor`, `nest11-ours`, `nest11-enable-cors`. */
const onNest11 = (target: Target): Target => ({
  ...target,
  id: `nest11-${target.id}`,
  name: `${target.name}, Nest 11`,
  nest: 11,
});
const NEST11_TARGETS = EXPRESS_TARGETS.filter((target) => ['floor', 'ours', 'enable-cors'].includes(target.id)).map(
  onNest11,
);

/** The Nest targets again on @nestjs/platform-fastify: `fastify-floor`, `fastify-ours`, `fastify-enable-cors`, ... */
export const TARGETS: readonly Target[] = [
  ...EXPRESS_TARGETS,
  ...EXPRESS_TARGETS.filter((target) => target.script === 'nest-target.js').map(onFastify),
  ...RULE_TARGETS,
  ...SLOT_TARGETS,
  ...NEST11_TARGETS,
];

/** The floor and the `enableCors()` a target is compared with: same platform, same Nest, same allowlist. */
export function comparedWith(target: Target, role: 'floor' | 'enable-cors'): string {
  const prefix = target.platform === 'fastify' ? 'fastify-' : target.nest === 11 ? 'nest11-' : '';
  return `${prefix}${role}${target.allowlist === TWO_ORIGINS || role === 'floor' ? '' : '-large'}`;
}

/** The environment a target process runs with: the service's settings for its platform and allowlist. */
export function targetEnvironment(target: Target): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
    HTTP_ADAPTER: target.platform,
    CORS_ALLOWED_ORIGINS: target.allowlist.join(','),
  };
}

/** The compiled target: this build's for Nest 12, its copy inside bench/nest11 for Nest 11 (nest11.ts). */
export function targetScript(target: Target): string {
  return target.nest === 11
    ? join(NEST11_BUILD, 'bench', 'targets', target.script)
    : join(import.meta.dirname, 'targets', target.script);
}

/** The entries named in a comma-separated list of ids (`--targets`, `--workloads`), in that order. */
function selectById<T extends { readonly id: string }>(all: readonly T[], ids: string): T[] {
  return ids.split(',').map((id) => {
    const found = all.find((entry) => entry.id === id);
    if (!found) throw new Error(`unknown "${id}" (known: ${all.map((entry) => entry.id).join(', ')})`);
    return found;
  });
}

export const selectTargets = (ids: string): Target[] => selectById(TARGETS, ids);

export interface Workload {
  /** Short name for `--workloads`. */
  readonly id: string;
  readonly name: string;
  readonly method: 'POST' | 'OPTIONS';
  /** The request target. @default '/greet' */
  readonly path?: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/**
 * Hostile paths (issue 30): as long as a server takes them, no route there.
 * Node's default header limit is 16 KiB for the request line and the headers
 * together; the targets run with --max-http-header-size=81920 for the 64 KB
 * one (bench/instructions.ts).
 */
const SHORT_SEGMENTS_16K = '/a'.repeat(8_000);
const SLASHES_16K = '/'.repeat(16_000);
const SHORT_SEGMENTS_64K = '/a'.repeat(32_000);

export const BODY = JSON.stringify({ name: 'Alice', lang: 'es' });
const JSON_TYPE = 'application/json';

export const WORKLOADS: readonly Workload[] = [
  {
    id: 'preflight',
    name: 'preflight',
    method: 'OPTIONS',
    headers: {
      origin: ALLOWED_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  },
  {
    id: 'allowed',
    name: 'POST allowed',
    method: 'POST',
    headers: { origin: ALLOWED_ORIGIN, 'content-type': JSON_TYPE },
    body: BODY,
  },
  {
    id: 'disallowed',
    name: 'POST disallowed',
    method: 'POST',
    headers: { origin: DISALLOWED_ORIGIN, 'content-type': JSON_TYPE },
    body: BODY,
  },
  { id: 'no-origin', name: 'POST no Origin', method: 'POST', headers: { 'content-type': JSON_TYPE }, body: BODY },
  {
    id: 'long-path',
    name: 'POST 16 KB of /a',
    method: 'POST',
    path: SHORT_SEGMENTS_16K,
    headers: { origin: ALLOWED_ORIGIN, 'content-type': JSON_TYPE },
    body: BODY,
  },
  {
    id: 'long-slashes',
    name: 'POST 16 KB of /',
    method: 'POST',
    path: SLASHES_16K,
    headers: { origin: ALLOWED_ORIGIN, 'content-type': JSON_TYPE },
    body: BODY,
  },
  {
    id: 'long-path-64k',
    name: 'POST 64 KB of /a',
    method: 'POST',
    path: SHORT_SEGMENTS_64K,
    headers: { origin: ALLOWED_ORIGIN, 'content-type': JSON_TYPE },
    body: BODY,
  },
];

export const selectWorkloads = (ids: string): Workload[] => selectById(WORKLOADS, ids);
