/**
 * The `@Cors()` declarations of every route handler, read once at start-up
 * from the controllers Nest's DiscoveryService finds.
 */
import type { Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { ConfigurationProblems } from '../core/errors.js';
import type { DeclarationSite } from '../core/resolve-policy.js';
import { CorsMetadata } from './cors.decorator.js';

/** A route handler's `@Cors()` declarations. */
export interface HandlerSite extends DeclarationSite {
  readonly type: Type;
}

/** The declarations of each route handler; a @Cors() on a method that is not a route is a problem. */
export function readHandlerSites(
  discovery: DiscoveryService,
  reflector: Reflector,
  scanner: MetadataScanner,
  problems: ConfigurationProblems,
): HandlerSite[] {
  const sites: HandlerSite[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as Type | null;
    if (!controller) continue;
    const prototype = controller.prototype as Record<string, unknown>;
    const classDeclaration = reflector.get(CorsMetadata, controller);
    for (const handlerName of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[handlerName];
      if (typeof handler !== 'function') continue;
      const handlerDeclaration = reflector.get(CorsMetadata, handler);
      if (Reflect.getMetadata(PATH_METADATA, handler) !== undefined) {
        sites.push({
          type: controller,
          controller: controller.name,
          handler: handlerName,
          classDeclaration,
          handlerDeclaration,
        });
      } else if (handlerDeclaration !== undefined) {
        // Not a route: a @Cors() here would be silently ignored.
        problems.add(
          `@Cors() on ${controller.name}.${handlerName} has no effect: the method is not a route handler (add @Get(), @Post(), ...)`,
        );
      }
    }
  }
  return sites;
}
