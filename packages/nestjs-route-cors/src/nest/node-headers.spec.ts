import { jest } from '@jest/globals';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { type CorsHeaderTarget, writeHeader } from './node-headers.js';

function response(): ServerResponse {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  // Node makes its header table at the first header: the table is written directly from the second on.
  response.setHeader('X-Request-Id', 'req-1');
  return response;
}

/** The head Node would send, as it builds it. */
function head(response: ServerResponse): string {
  response.writeHead(200);
  return String(Reflect.get(response, '_header'));
}

describe('writeHeader', () => {
  it("sets a header Node's public API reads back and writes in the head, its name as given", () => {
    const answer = response();
    writeHeader(answer, 'Access-Control-Allow-Origin', 'https://app.test');
    expect(answer.getHeader('access-control-allow-origin')).toBe('https://app.test');
    expect(answer.hasHeader('Access-Control-Allow-Origin')).toBe(true);
    expect(answer.getHeaderNames()).toEqual(['x-request-id', 'access-control-allow-origin']);
    expect(head(answer)).toContain('\r\nAccess-Control-Allow-Origin: https://app.test\r\n');
  });

  it("files it in Node's header table without setHeader()'s per-call checks (the point of it)", () => {
    const answer = response();
    const setHeader = jest.spyOn(answer, 'setHeader');
    writeHeader(answer, 'Access-Control-Allow-Origin', 'https://app.test');
    expect(setHeader).not.toHaveBeenCalled();
    expect(answer.getHeader('Access-Control-Allow-Origin')).toBe('https://app.test');
  });

  it('replaces a header of the same name in any case, as setHeader() does', () => {
    const answer = response();
    answer.setHeader('vary', 'Accept-Encoding');
    writeHeader(answer, 'Vary', 'Accept-Encoding, Origin');
    expect(head(answer).match(/vary:/gi)).toHaveLength(1);
    expect(answer.getHeader('Vary')).toBe('Accept-Encoding, Origin');
  });

  it('sets the first header of a response, before Node has a table, through setHeader()', () => {
    const answer = new ServerResponse(new IncomingMessage(new Socket()));
    writeHeader(answer, 'Vary', 'Origin');
    expect(answer.getHeader('Vary')).toBe('Origin');
  });

  it.each([
    ['a line break', 'https://app.test\r\nSet-Cookie: a=b'],
    ['a NUL', 'https://app.test\u0000'],
    ['DEL', 'https://app.test\u007f'],
  ])('refuses a value with %s as setHeader() does, and writes nothing', (_what, value) => {
    const answer = response();
    expect(() => writeHeader(answer, 'Access-Control-Allow-Origin', value)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_CHAR' }),
    );
    expect(answer.hasHeader('Access-Control-Allow-Origin')).toBe(false);
  });

  it('refuses a name that is not a token as setHeader() does', () => {
    const answer = response();
    expect(() => writeHeader(answer, 'Bad Name', 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_HTTP_TOKEN' }),
    );
    expect(answer.getHeaderNames()).toEqual(['x-request-id']);
  });

  it('refuses to change a head already written, as setHeader() does', () => {
    const answer = response();
    answer.writeHead(200);
    expect(() => writeHeader(answer, 'Vary', 'Origin')).toThrow(
      expect.objectContaining({ code: 'ERR_HTTP_HEADERS_SENT' }),
    );
  });

  it("sets a header on a platform's own target through its setHeader()", () => {
    const set: Array<[string, string]> = [];
    const target: CorsHeaderTarget = {
      getHeader: () => undefined,
      setHeader: (name, value) => set.push([name, value]),
    };
    writeHeader(target, 'Vary', 'Origin');
    expect(set).toEqual([['Vary', 'Origin']]);
  });
});
