import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { type VersioningOptions, VERSION_NEUTRAL, VersioningType } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import express, { type Request, type Response } from 'express';
import type { NestRoute } from '../nest/nest-routes.js';
import { ExpressPlatform } from './express.js';

class ReportsController {}

function route(pickedVersion: NestRoute['pickedVersion']): NestRoute {
  return {
    method: 'GET',
    path: '/reports',
    host: undefined,
    servesHost: undefined,
    version: undefined,
    controller: ReportsController,
    methodName: 'get',
    pickedVersion,
  };
}

/** A request to `url` with `headers`, as Express hands it to middleware (Node's own request, Express's prototype). */
function expressRequest(url: string, headers: Record<string, string> = {}): Request {
  const raw = new IncomingMessage(new Socket());
  raw.method = 'GET';
  raw.url = url;
  raw.headers = headers;
  return raw as Request;
}

const HEADER_VERSIONING: VersioningOptions = { type: VersioningType.HEADER, header: 'X-API-Version' };

describe('ExpressPlatform', () => {
  describe("the router's path rules", () => {
    it.each([
      [
        'a default Express app: case-insensitive, a trailing slash ignored',
        express(),
        { caseSensitive: false, ignoreTrailingSlash: true },
      ],
      [
        "an app with 'case sensitive routing' and 'strict routing' set before its router exists",
        express().set('case sensitive routing', true).set('strict routing', true),
        { caseSensitive: true, ignoreTrailingSlash: false },
      ],
    ])('are read from the adapter for %s', (_app, app, matching) => {
      expect(new ExpressPlatform(new ExpressAdapter(app)).router.matching).toEqual(matching);
    });
  });

  it.each([
    ['/reports', '/reports'],
    ['/reports?since=1', '/reports'],
    ['/a%20b/?x=/y', '/a%20b/'],
  ])("routes %s by the path Express's router reads, %s", (url, path) => {
    const router = new ExpressPlatform(new ExpressAdapter(express())).router;
    expect(router.routingPath(expressRequest(url), url)).toBe(path);
  });

  describe('version filters', () => {
    const platform = new ExpressPlatform(new ExpressAdapter(express()));
    const filters = platform.router.versionFilters(
      [route(undefined), route(VERSION_NEUTRAL), route('1'), route(['2', '3'])],
      HEADER_VERSIONING,
    );

    it('has none for a route without a picked version, or a neutral one: they serve every request', () => {
      expect([filters[0], filters[1]]).toEqual([undefined, undefined]);
    });

    it.each([
      [{ 'x-api-version': '1' }, [true, false]],
      [{ 'x-api-version': '3' }, [false, true]],
      [{ 'x-api-version': '4' }, [false, false]],
      [{}, [false, false]],
    ])("asks the adapter's own filter whether the request's version %j selects each route", (headers, served) => {
      const request = expressRequest('/reports', headers);
      expect([filters[2]?.(request), filters[3]?.(request)]).toEqual(served);
    });
  });

  it('describes a request with what its router and version filters read', () => {
    const described = new ExpressPlatform(new ExpressAdapter(express())).router.describedRequest({
      url: '/reports?x=1',
      headers: { 'x-api-version': '1' },
      hostname: 'api.test',
    });
    expect(described).toEqual({ url: '/reports?x=1', headers: { 'x-api-version': '1' }, hostname: 'api.test' });
  });

  it('ends an allowed preflight with 204 and an explicit empty body: Content-Length: 0', () => {
    const response = new ServerResponse(expressRequest('/reports')) as Response;
    new ExpressPlatform(new ExpressAdapter(express())).endPreflight(response);
    expect([response.statusCode, response.getHeader('Content-Length'), response.writableEnded]).toEqual([
      204,
      '0',
      true,
    ]);
  });
});
