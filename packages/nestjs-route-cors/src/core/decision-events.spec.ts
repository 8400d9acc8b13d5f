import { compilePolicy } from './compile-policy.js';
import { type CorsRequestFacts, decideCors } from './cors-decision.js';
import { disagreementOf, originClassOf, outcomeOf } from './decision-events.js';

const policy = compilePolicy('p', {
  origins: ['https://app.test', 'https://*.tenants.test'],
  originPredicate: (origin) => origin === 'https://partner.test',
  methods: ['GET', 'PUT'],
  allowedHeaders: ['Content-Type'],
});
const SELF = 'https://api.test';

function facts(origin: string | undefined, preflight = false, requestHeaders?: string): CorsRequestFacts {
  return {
    method: preflight ? 'OPTIONS' : 'GET',
    origin,
    selfOrigin: SELF,
    requestMethod: preflight ? 'PUT' : undefined,
    requestHeaders,
    carriesCookies: false,
  };
}

async function classOf(origin: string | undefined, preflight = false, headers?: string): Promise<string> {
  const request = facts(origin, preflight, headers);
  return originClassOf(request, await decideCors(policy, request));
}

describe('originClassOf', () => {
  it.each([
    ['https://app.test', 'listed'],
    ['https://eu.tenants.test', 'pattern'],
    ['https://partner.test', 'predicate'],
    [SELF, 'same-origin'],
    ['https://evil.test', 'unlisted'],
    [undefined, 'none'],
  ])('%s is %s', async (origin, expected) => {
    expect(await classOf(origin)).toBe(expected);
  });

  it("says 'predicate' for a preflight the predicate allowed and a header refused", async () => {
    expect(await classOf('https://partner.test', true, 'x-debug')).toBe('predicate');
  });

  it("says 'public' under origins '*'", async () => {
    const open = compilePolicy('open', { origins: '*' });
    const request = facts('https://any.test');
    expect(originClassOf(request, await decideCors(open, request))).toBe('public');
  });
});

describe('disagreementOf', () => {
  const sent =
    (headers: Record<string, string>) =>
    (name: string): string | undefined =>
      headers[name];

  it('none where the answer sent carries what the policy would have written', async () => {
    const request = facts('https://app.test');
    const decision = await decideCors(policy, request);
    expect(outcomeOf(decision)).toBe('allowed');
    expect(disagreementOf(request, decision, sent({ 'Access-Control-Allow-Origin': 'https://app.test' }))).toBe(
      undefined,
    );
  });

  it('an origin the answer sent allows and the policy refuses', async () => {
    const request = facts('https://evil.test');
    const decision = await decideCors(policy, request);
    expect(disagreementOf(request, decision, sent({ 'Access-Control-Allow-Origin': '*' }))).toEqual({
      policy: { allowed: false, allowOrigin: undefined, allowCredentials: undefined },
      sent: { allowed: true, allowOrigin: '*', allowCredentials: undefined },
    });
  });

  it('a preflight whose answer sent does not cover the method asked about', async () => {
    const request = facts('https://app.test', true);
    const decision = await decideCors(policy, request);
    const answer = sent({
      'Access-Control-Allow-Origin': 'https://app.test',
      'Access-Control-Allow-Methods': 'GET,POST',
    });
    expect(disagreementOf(request, decision, answer)?.sent.allowed).toBe(false);
  });

  it('another Access-Control-Allow-Credentials, both allowing', async () => {
    const request = facts('https://app.test');
    const decision = await decideCors(policy, request);
    const answer = sent({
      'Access-Control-Allow-Origin': 'https://app.test',
      'Access-Control-Allow-Credentials': 'true',
    });
    expect(disagreementOf(request, decision, answer)).toEqual(
      expect.objectContaining({ sent: expect.objectContaining({ allowed: true, allowCredentials: 'true' }) }),
    );
  });
});
