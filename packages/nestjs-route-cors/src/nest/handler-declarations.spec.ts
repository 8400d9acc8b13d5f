import { Controller, Get, Post } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ConfigurationProblems, CorsConfigurationError } from '../core/errors.js';
import { Cors } from './cors.decorator.js';
import { readHandlerSites } from './handler-declarations.js';

@Cors('frontend')
@Controller('items')
class ItemsController {
  @Get()
  list(): string {
    return 'list';
  }

  @Post()
  @Cors({ methods: ['POST'] }, { merge: true })
  create(): string {
    return 'create';
  }

  /** A helper, not a route, without @Cors(): not a site, not a problem. */
  format(): string {
    return 'format';
  }
}

@Controller('loose')
class LooseController {
  @Get()
  read(): string {
    return 'read';
  }

  /** Not a route: the @Cors() here would do nothing. */
  @Cors(false)
  helper(): string {
    return 'helper';
  }
}

/** The sites and problems DiscoveryService's controllers give. */
async function sitesOf(
  ...controllers: Array<new () => object>
): Promise<{ sites: ReturnType<typeof readHandlerSites>; problems: ConfigurationProblems }> {
  const moduleRef = await Test.createTestingModule({ imports: [DiscoveryModule], controllers }).compile();
  const problems = new ConfigurationProblems();
  const sites = readHandlerSites(moduleRef.get(DiscoveryService), new Reflector(), new MetadataScanner(), problems);
  await moduleRef.close();
  return { sites, problems };
}

describe('readHandlerSites', () => {
  it("gives every route handler with its controller's and its own declarations", async () => {
    const { sites, problems } = await sitesOf(ItemsController);
    expect(
      sites.map(({ type, controller, handler, classDeclaration, handlerDeclaration }) => [
        type,
        controller,
        handler,
        classDeclaration,
        handlerDeclaration,
      ]),
    ).toEqual([
      [ItemsController, 'ItemsController', 'list', { kind: 'named', name: 'frontend', merge: false }, undefined],
      [
        ItemsController,
        'ItemsController',
        'create',
        { kind: 'named', name: 'frontend', merge: false },
        { kind: 'inline', options: { methods: ['POST'] }, merge: true },
      ],
    ]);
    expect(() => problems.throwIfAny()).not.toThrow();
  });

  it('gives route handlers without any declaration too: the table holds every route', async () => {
    const { sites } = await sitesOf(LooseController);
    expect(sites.map((site) => [site.handler, site.classDeclaration, site.handlerDeclaration])).toEqual([
      ['read', undefined, undefined],
    ]);
  });

  it('names a @Cors() on a method that is not a route handler as a problem', async () => {
    const { problems } = await sitesOf(ItemsController, LooseController);
    expect(() => problems.throwIfAny()).toThrow(CorsConfigurationError);
    expect(() => problems.throwIfAny()).toThrow(
      '@Cors() on LooseController.helper has no effect: the method is not a route handler (add @Get(), @Post(), ...)',
    );
  });
});
