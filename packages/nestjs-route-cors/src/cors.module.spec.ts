import { HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { CorsModule } from './cors.module.js';
import { supportedReleases } from './nest/supported-releases.js';

describe('on a @nestjs/core whose HttpAdapterHost has no init$ (Nest 11 before 11.1.4)', () => {
  const init$ = Object.getOwnPropertyDescriptor(HttpAdapterHost.prototype, 'init$');

  beforeEach(() => {
    Object.defineProperty(HttpAdapterHost.prototype, 'init$', { configurable: true, value: undefined });
  });

  afterEach(() => {
    if (init$ !== undefined) Object.defineProperty(HttpAdapterHost.prototype, 'init$', init$);
  });

  it('stops start-up with a message naming the releases it needs', async () => {
    const compiling = Test.createTestingModule({
      imports: [CorsModule.forRoot({ policies: {}, logRoutes: false })],
    }).compile();
    await expect(compiling).rejects.toThrow(
      `this version of @nestjs/core has no HttpAdapterHost.init$, which tells when the application has its HTTP adapter; nestjs-route-cors needs ${supportedReleases('@nestjs/core')}`,
    );
  });
});
