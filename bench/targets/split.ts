/**
 * Where the cost of `@Cors()` goes (`npm run bench:instructions -- --targets
 * split-...`): the service with the package's hook cut short after one stage of
 * its work, every stage before it done as usual. The differences between
 * consecutive stages are the split in bench/README.md. The cut is made on the
 * package's own compiled classes (the ones the app loads), in this process only:
 *   facts   the request's facts read, then next()
 *   lookup  + the router's reading of the path and the route index's entry
 *   decide  + the whole decision (route, origin check, headers chosen), nothing written
 *   write   + the decision's headers and Vary written
 * and the full hook keeps the decision for the CSRF check and for when the
 * answer's head is written. `empty-middleware` is the slot alone:
 * the floor with a middleware that only calls next() where the hook sits.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CorsDecision } from 'nestjs-route-cors/core';

export const SPLIT_STAGES = ['facts', 'lookup', 'decide', 'write'] as const;
export type SplitStage = (typeof SPLIT_STAGES)[number];

type Next = () => void;
type Method = (...args: never[]) => unknown;

/** The parts of the package's internal classes a stage calls, as this file reads them (no types are published for them). */
interface HookInternals {
  readonly platform: { requestFacts(request: unknown, response: unknown): { readonly url: string } };
  readonly router: { routingPath(request: unknown, url: string): string | undefined };
  readonly routes: { readonly lookup: { readonly index: { lookup(path: string): unknown } } };
}
interface ResponderInternals {
  write(response: unknown, decision: CorsDecision): void;
}
interface AnsweredRequest {
  readonly response: unknown;
}

const PACKAGE_DIST = join(import.meta.dirname, '..', '..', '..', 'packages', 'nestjs-route-cors', 'dist');

async function prototypeOf(file: string, exported: string): Promise<Record<string, Method>> {
  const module = (await import(pathToFileURL(join(PACKAGE_DIST, file)).href)) as Record<string, { prototype: object }>;
  const found = module[exported];
  if (found === undefined) throw new Error(`${file} exports no ${exported}`);
  return found.prototype as Record<string, Method>;
}

/** Cuts the package's hook short after `stage`; call before the app is created. */
export async function cutHookAfter(stage: SplitStage): Promise<void> {
  const hook = await prototypeOf('nest/cors-hook.js', 'CorsHook');
  const responder = await prototypeOf('nest/cors-responder.js', 'CorsResponder');
  if (stage === 'facts' || stage === 'lookup') {
    hook.handle = function (this: HookInternals, request: unknown, response: unknown, next: Next) {
      const facts = this.platform.requestFacts(request, response);
      if (stage === 'lookup') {
        const routed = this.router.routingPath(request, facts.url);
        if (routed !== undefined) this.routes.lookup.index.lookup(routed);
      }
      next();
    };
    return;
  }
  responder.answer = function (this: ResponderInternals, request: AnsweredRequest, decision: CorsDecision) {
    if (stage === 'decide') return;
    this.write(request.response, decision);
  };
}
