import 'reflect-metadata';
import { Reflector } from '@nestjs/core';
import type { CorsDeclaration } from '../core/policy.js';
import { CORS_METADATA_KEY } from './cors.constants.js';
import { Cors, CorsMetadata } from './cors.decorator.js';

/**
 * An application can load the package twice (its CommonJS build through
 * `require`, its ES module build through `import`): each copy makes its own
 * `CorsMetadata`. `anotherCopy` is what the other copy's module makes.
 */
const anotherCopy = Reflector.createDecorator<CorsDeclaration>({ key: CORS_METADATA_KEY });

describe('@Cors() metadata across two copies of the package', () => {
  const reflector = new Reflector();

  it('is written under the fixed, namespaced key', () => {
    expect(CorsMetadata.KEY).toBe('nestjs-route-cors:cors');
  });

  it("is read by another copy's CorsMetadata", () => {
    @Cors('frontend')
    class Controller {}
    expect(reflector.get(anotherCopy, Controller)).toEqual({ kind: 'named', name: 'frontend', merge: false });
  });

  it("reads what another copy's decorator wrote on a handler", () => {
    class Controller {
      handler(): void {}
    }
    const descriptor = Object.getOwnPropertyDescriptor(Controller.prototype, 'handler');
    if (descriptor === undefined) throw new Error('Controller.prototype.handler is missing');
    anotherCopy({ kind: 'disabled' })(Controller.prototype, 'handler', descriptor);
    expect(reflector.get(CorsMetadata, descriptor.value as () => void)).toEqual({ kind: 'disabled' });
  });
});
