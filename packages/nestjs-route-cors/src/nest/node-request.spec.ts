import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { compilePolicy } from '../core/compile-policy.js';
import { decideCors } from '../core/cors-decision.js';
import type { CorsHeaderTarget } from './node-headers.js';
import {
  decidedRequests,
  endPreflightResponse,
  keepDecision,
  NodeCorsRequest,
  pathOf,
  type PlatformRequestReader,
  stillAsDecided,
  whenHeadWritten,
  writeHeadAsDecided,
} from './node-request.js';

/** Node's own request, with the method, target and headers given. */
function incoming(
  method: string | undefined,
  url: string | undefined,
  headers: Record<string, string>,
): IncomingMessage {
  const raw = new IncomingMessage(new Socket());
  raw.method = method;
  raw.url = url;
  raw.headers = headers;
  return raw;
}

interface PlatformRequest {
  readonly protocol: string;
  readonly hostname: string;
  readonly id: string;
}
interface PlatformReply {
  readonly headers: Map<string, string>;
}

/** A reader that counts what is asked of it, to show what is read lazily. */
function countingReader(): PlatformRequestReader<PlatformRequest, PlatformReply> & { readonly asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    protocol: (request) => (asked.push('protocol'), request.protocol),
    hostname: (request) => (asked.push('hostname'), request.hostname),
    requestId: (request) => (asked.push('requestId'), request.id),
    headerTarget: (reply, preflight): CorsHeaderTarget => (
      asked.push(`headerTarget ${String(preflight)}`),
      {
        getHeader: (name) => reply.headers.get(name),
        setHeader: (name, value) => reply.headers.set(name, value),
      }
    ),
    serverResponse: () => {
      throw new Error('a platform reply in this test has no Node response');
    },
    routesAfterHook: false,
    checksHeadAsWritten: false,
  };
}

const PLATFORM_REQUEST: PlatformRequest = { protocol: 'https', hostname: 'api.test', id: 'req-7' };

function corsRequest(raw: IncomingMessage, reader = countingReader()): NodeCorsRequest<PlatformRequest, PlatformReply> {
  return new NodeCorsRequest(raw, PLATFORM_REQUEST, { headers: new Map() }, reader);
}

describe('pathOf', () => {
  it.each([
    ['/items', '/items'],
    ['/items?x=1', '/items'],
    ['/items?', '/items'],
    ['/?a=/b', '/'],
    ['/a%3Fb?c', '/a%3Fb'],
    ['', ''],
  ])('gives %j the path %j', (url, path) => {
    expect(pathOf(url)).toBe(path);
  });
});

describe('NodeCorsRequest', () => {
  describe('the facts read when it is made', () => {
    it("takes the method and Origin from Node's request", () => {
      const request = corsRequest(incoming('PUT', '/items', { origin: 'https://app.test' }));
      expect([request.method, request.origin]).toEqual(['PUT', 'https://app.test']);
    });

    it('reads a request without a method as GET, and one without Origin as no origin', () => {
      const request = corsRequest(incoming(undefined, '/items', {}));
      expect([request.method, request.origin]).toEqual(['GET', undefined]);
    });

    it.each([
      ['OPTIONS', 'PUT', 'PUT'],
      ['OPTIONS', undefined, undefined],
      ['GET', 'PUT', undefined],
      ['POST', 'PUT', undefined],
    ])(
      'on %s with Access-Control-Request-Method %s, has the requested method %s (only OPTIONS can be a preflight)',
      (method, requested, expected) => {
        const headers: Record<string, string> =
          requested === undefined ? {} : { 'access-control-request-method': requested };
        expect(corsRequest(incoming(method, '/items', headers)).requestMethod).toBe(expected);
      },
    );

    it('asks the platform for the header target of a preflight or of a request that goes on', () => {
      const preflightReader = countingReader();
      corsRequest(incoming('OPTIONS', '/items', { 'access-control-request-method': 'PUT' }), preflightReader);
      const actualReader = countingReader();
      corsRequest(incoming('OPTIONS', '/items', {}), actualReader);
      expect([preflightReader.asked, actualReader.asked]).toEqual([['headerTarget true'], ['headerTarget false']]);
    });
  });

  describe('the facts read only when asked for', () => {
    it('asks the platform nothing but the header target until a getter is read', () => {
      const reader = countingReader();
      corsRequest(incoming('GET', '/items', { host: 'api.test' }), reader);
      expect(reader.asked).toEqual(['headerTarget false']);
    });

    it('reads the requested headers from the request when asked, not before', () => {
      const raw = incoming('OPTIONS', '/items', { 'access-control-request-method': 'PUT' });
      const request = corsRequest(raw);
      raw.headers['access-control-request-headers'] = 'content-type';
      expect(request.requestHeaders).toBe('content-type');
    });

    it("builds its own origin from the platform's scheme and the Host header", () => {
      const reader = countingReader();
      const request = corsRequest(incoming('GET', '/items', { host: 'api.test:8443' }), reader);
      expect(request.selfOrigin).toBe('https://api.test:8443');
      expect(reader.asked).toContain('protocol');
    });

    it('has no own origin without a Host header, and does not ask for the scheme', () => {
      const reader = countingReader();
      expect(corsRequest(incoming('GET', '/items', {}), reader).selfOrigin).toBeUndefined();
      expect(reader.asked).not.toContain('protocol');
    });

    it('takes the host name and the request id from the platform', () => {
      const request = corsRequest(incoming('GET', '/items', {}));
      expect([request.hostname, request.requestId]).toEqual(['api.test', 'req-7']);
    });

    it.each([
      ['/items?x=1', '/items?x=1', '/items'],
      [undefined, '/', '/'],
    ])('gives the target %s as url %s and path %s', (url, expectedUrl, expectedPath) => {
      const request = corsRequest(incoming('GET', url, {}));
      expect([request.url, request.path]).toEqual([expectedUrl, expectedPath]);
    });
  });
});

describe('endPreflightResponse', () => {
  it('ends the response with 204 and an explicit empty body: Content-Length: 0', () => {
    const response = new ServerResponse(incoming('OPTIONS', '/items', {}));
    endPreflightResponse(response);
    expect([response.statusCode, response.getHeader('Content-Length'), response.writableEnded]).toEqual([
      204,
      '0',
      true,
    ]);
  });
});

describe('stillAsDecided', () => {
  const decided = { method: 'POST', url: '/items?x=1' };
  const now = (method: string, url: string, baseUrl?: string): IncomingMessage & { baseUrl?: string } =>
    Object.assign(incoming(method, url, {}), baseUrl === undefined ? {} : { baseUrl });

  it('holds while the method and path are those the hook decided by', () => {
    expect(stillAsDecided(now('POST', '/items?x=1'), decided)).toBe(true);
    expect(stillAsDecided(now('POST', '/items?y=2'), decided)).toBe(true);
  });

  it('holds inside a mounted router, which moves the mount path from url to baseUrl', () => {
    expect(stillAsDecided(now('POST', '/?x=1', '/items'), decided)).toBe(true);
    expect(stillAsDecided(now('GET', '/page', '/mounted'), { method: 'GET', url: '/mounted/page' })).toBe(true);
  });

  it('fails once a middleware changed the method or rewrote the path', () => {
    expect(stillAsDecided(now('DELETE', '/items?x=1'), decided)).toBe(false);
    expect(stillAsDecided(now('POST', '/admin/items'), decided)).toBe(false);
    expect(stillAsDecided(now('POST', '/items', '/admin'), decided)).toBe(false);
  });
});

/** A platform on Node's own request and response, routing after the hook or not, checking as heads are written or not. */
function nodeReader(options: {
  readonly routesAfterHook: boolean;
  readonly checksHeadAsWritten: boolean;
}): PlatformRequestReader<IncomingMessage, ServerResponse> {
  return {
    protocol: () => 'https',
    hostname: () => 'api.test',
    requestId: () => undefined,
    headerTarget: (reply) => reply,
    serverResponse: (reply) => reply,
    routesAfterHook: options.routesAfterHook,
    checksHeadAsWritten: options.checksHeadAsWritten,
  };
}

describe('keepDecision', () => {
  const NODE_WRITE_HEAD = Reflect.get(ServerResponse.prototype, 'writeHead');
  const FRONTEND = { origins: ['https://app.test'], methods: ['POST'] };

  /** A request from the front end's origin with its Node response, read as a platform routing after the hook reads it. */
  function allowedRequest(options: {
    routesAfterHook: boolean;
    checksHeadAsWritten: boolean;
    resourcePolicy?: boolean;
  }) {
    const raw = incoming('POST', '/items', { origin: 'https://app.test' });
    const response = new ServerResponse(raw);
    const request = new NodeCorsRequest(raw, raw, response, nodeReader(options));
    const policy = compilePolicy('frontend', {
      ...FRONTEND,
      ...(options.resourcePolicy === true ? { resourcePolicy: 'same-site' as const } : {}),
    });
    const decision = decideCors(policy, request);
    if (decision instanceof Promise) throw new Error('a listed origin is decided synchronously');
    for (const [name, value] of decision.headers) response.setHeader(name, value);
    return { raw, response, request, decision };
  }

  it('keeps the decision beside the request: neither the request nor the response gets a property of its own', () => {
    const { raw, response, request, decision } = allowedRequest({ routesAfterHook: true, checksHeadAsWritten: true });
    const before = [Reflect.ownKeys(raw).length, Reflect.ownKeys(response).length];
    keepDecision(request, decision);
    expect([Reflect.ownKeys(raw).length, Reflect.ownKeys(response).length]).toEqual(before);
    expect(decidedRequests().get(raw)?.decision).toBe(decision);
  });

  it("takes the decision's headers off as the head is written when a middleware changed the method since", () => {
    const { raw, response, request, decision } = allowedRequest({ routesAfterHook: true, checksHeadAsWritten: true });
    keepDecision(request, decision);
    raw.method = 'DELETE';
    writeHeadAsDecided(NODE_WRITE_HEAD).call(response, 200);
    expect(response.getHeader('Access-Control-Allow-Origin')).toBeUndefined();
  });

  it('leaves them as decided when nothing changed', () => {
    const { response, request, decision } = allowedRequest({ routesAfterHook: true, checksHeadAsWritten: true });
    keepDecision(request, decision);
    writeHeadAsDecided(NODE_WRITE_HEAD).call(response, 200);
    expect(response.getHeader('Access-Control-Allow-Origin')).toBe('https://app.test');
  });

  it('gives the response a writeHead of its own only where the platform does not check, for the resource policy', () => {
    const { raw, response, request, decision } = allowedRequest({
      routesAfterHook: false,
      checksHeadAsWritten: false,
      resourcePolicy: true,
    });
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    keepDecision(request, decision);
    expect(Object.hasOwn(response, 'writeHead')).toBe(true);
    response.writeHead(200);
    expect(response.getHeader('Cross-Origin-Resource-Policy')).toBe('same-site');
    expect(decidedRequests().get(raw)).toBe(request);
  });

  it('keeps nothing for a request whose decision no longer matters after the hook', () => {
    const { raw, request, decision } = allowedRequest({ routesAfterHook: false, checksHeadAsWritten: false });
    keepDecision(request, { ...decision, csrfExempt: false });
    expect(decidedRequests().get(raw)).toBeUndefined();
  });
});

describe('whenHeadWritten (report-only)', () => {
  const NODE_WRITE_HEAD = Reflect.get(ServerResponse.prototype, 'writeHead');

  function watchedRequest(checksHeadAsWritten: boolean) {
    const raw = incoming('GET', '/items', { origin: 'https://other.test' });
    const response = new ServerResponse(raw);
    const request = new NodeCorsRequest(raw, raw, response, nodeReader({ routesAfterHook: true, checksHeadAsWritten }));
    const heads: Array<string | undefined> = [];
    whenHeadWritten(request, (read) => heads.push(read('Access-Control-Allow-Origin')));
    return { raw, response, heads };
  }

  it("reads the head once, with writeHead()'s own headers over the response's, and changes nothing in it", () => {
    const { raw, response, heads } = watchedRequest(true);
    response.setHeader('Access-Control-Allow-Origin', 'https://set.test');
    const writeHead = writeHeadAsDecided(NODE_WRITE_HEAD);
    writeHead.call(response, 200, { 'access-control-allow-origin': 'https://passed.test' });
    expect(() => writeHead.call(response, 500)).toThrow();
    expect(heads).toEqual(['https://passed.test']);
    expect(response.getHeader('Access-Control-Allow-Origin')).toBe('https://passed.test');
    expect(decidedRequests().get(raw)).toBeUndefined();
  });

  it('reads a flat [name, value, ...] list passed to writeHead(), and headers set on the response alone', () => {
    const listed = watchedRequest(true);
    writeHeadAsDecided(NODE_WRITE_HEAD).call(listed.response, 204, [
      'Access-Control-Allow-Origin',
      'https://list.test',
    ]);
    expect(listed.heads).toEqual(['https://list.test']);
    const set = watchedRequest(true);
    set.response.setHeader('Access-Control-Allow-Origin', 'https://set.test');
    writeHeadAsDecided(NODE_WRITE_HEAD).call(set.response, 200);
    expect(set.heads).toEqual(['https://set.test']);
  });

  it('adds no property to a response whose platform checks as the head is written; wraps its own writeHead elsewhere', () => {
    const shared = watchedRequest(true);
    expect(Object.hasOwn(shared.response, 'writeHead')).toBe(false);
    const own = watchedRequest(false);
    expect(Object.hasOwn(own.response, 'writeHead')).toBe(true);
    own.response.writeHead(200);
    expect(own.heads).toEqual([undefined]);
  });
});
