import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Logger, type LoggerService } from '@nestjs/common';
import { compilePolicy } from '../core/compile-policy.js';
import type { CorsDecision } from '../core/cors-decision.js';
import { DECISION_CHANNEL } from '../core/decision-events.js';
import { type CorsRejection, describeRejection } from '../core/rejections.js';
import type { CorsModuleOptions, CorsRejectionEvent } from './cors-module-options.interface.js';
import { CorsResponder } from './cors-responder.js';
import { NodeCorsRequest, type PlatformRequestReader } from './node-request.js';

const TENANTS = compilePolicy('tenants', { origins: ['https://app.example.com'], methods: ['GET'] });
const EVIL = 'https://evil.example';
const REFUSED: CorsRejection = { code: 'origin-not-allowed', origin: EVIL };
const PREDICATE_FAILED: CorsRejection = {
  code: 'origin-predicate-failed',
  origin: EVIL,
  error: new Error('tenant database down'),
};

/** What the responder logs, by level. */
const logged: { warn: string[]; error: string[] } = { warn: [], error: [] };
const capture: LoggerService = {
  log: () => undefined,
  warn: (message: unknown) => void logged.warn.push(String(message)),
  error: (message: unknown) => void logged.error.push(String(message)),
};

const realNow = Date.now;
let now = 0;

beforeAll(() => {
  Logger.overrideLogger(capture);
});
beforeEach(() => {
  logged.warn = [];
  logged.error = [];
  now = 1_000_000;
  Date.now = () => now;
});
afterEach(() => {
  Date.now = realNow;
});

const READER: PlatformRequestReader<IncomingMessage, ServerResponse> = {
  protocol: () => 'http',
  hostname: () => 'api.test',
  requestId: () => 'req-1',
  headerTarget: (response) => response,
  serverResponse: (response) => response,
  routesAfterHook: false,
  checksHeadAsWritten: false,
};

/** A request to GET /tenant?x=1 from `origin`, answered on a fresh Node response. */
function answered(origin = EVIL): {
  request: NodeCorsRequest<IncomingMessage, ServerResponse>;
  response: ServerResponse;
} {
  const raw = new IncomingMessage(new Socket());
  raw.method = 'GET';
  raw.url = '/tenant?x=1';
  raw.headers = { origin };
  const response = new ServerResponse(raw);
  return { request: new NodeCorsRequest(raw, raw, response, READER), response };
}

function decision(overrides: Partial<CorsDecision>): CorsDecision {
  return {
    kind: 'actual',
    allowed: true,
    rejection: undefined,
    headers: [],
    vary: ['Origin'],
    policy: TENANTS,
    resourcePolicy: undefined,
    csrfExempt: false,
    ending: 'continue',
    ...overrides,
  };
}

function refusal(rejection: CorsRejection): CorsDecision {
  return decision({ allowed: false, rejection });
}

describe('CorsResponder', () => {
  describe('writing a decision', () => {
    it("sets the decision's headers", () => {
      const { request, response } = answered('https://app.example.com');
      new CorsResponder({}).answer(
        request,
        decision({
          headers: [
            ['Access-Control-Allow-Origin', 'https://app.example.com'],
            ['Access-Control-Expose-Headers', 'X-Trace'],
          ],
        }),
      );
      expect(response.getHeaders()).toMatchObject({
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-expose-headers': 'X-Trace',
      });
    });

    it.each<[string, string | string[] | undefined, readonly string[], string | undefined]>([
      ['sets Vary when there is none', undefined, ['Origin'], 'Origin'],
      ['appends to a Vary set before, never replacing it', 'Accept-Encoding', ['Origin'], 'Accept-Encoding, Origin'],
      ['appends to a Vary set as a list', ['Accept-Encoding', 'Cookie'], ['Origin'], 'Accept-Encoding, Cookie, Origin'],
      [
        'appends only what is not there yet, in any case',
        'origin, Accept-Encoding',
        ['Origin', 'Access-Control-Request-Method'],
        'origin, Accept-Encoding, Access-Control-Request-Method',
      ],
      ['keeps Vary: * (it already varies on everything)', '*', ['Origin'], '*'],
      ['leaves Vary alone when the decision adds nothing', 'Accept-Encoding', [], 'Accept-Encoding'],
      ['adds no Vary when the decision adds nothing', undefined, [], undefined],
    ])('%s', (_rule, before, vary, after) => {
      const { request, response } = answered();
      if (before !== undefined) response.setHeader('Vary', before);
      new CorsResponder({}).answer(request, decision({ vary }));
      expect(response.getHeader('Vary')).toBe(after);
    });
  });

  describe('a path no policy covers', () => {
    it('is reported only in report-only mode or while someone listens for decision events', () => {
      expect(new CorsResponder({}).reportsUncovered).toBe(false);
      expect(new CorsResponder({ mode: 'report-only' }).reportsUncovered).toBe(true);
      const listener = (): void => undefined;
      subscribe(DECISION_CHANNEL, listener);
      try {
        expect(new CorsResponder({}).reportsUncovered).toBe(true);
      } finally {
        unsubscribe(DECISION_CHANNEL, listener);
      }
      expect(new CorsResponder({}).reportsUncovered).toBe(false);
    });
  });

  describe('writing a handshake decision', () => {
    const allowedHeaders: CorsDecision['headers'] = [['Access-Control-Allow-Origin', 'https://app.example.com']];

    it('writes nothing on the answer of an allowed upgrade, which is never sent', () => {
      const { request, response } = answered('https://app.example.com');
      new CorsResponder({}).answerHandshake(request, decision({ headers: allowedHeaders }), false);
      expect(response.getHeaders()).toEqual({});
    });

    it("writes a polling answer's headers, which are sent", () => {
      const { request, response } = answered('https://app.example.com');
      new CorsResponder({}).answerHandshake(request, decision({ headers: allowedHeaders }), true);
      expect(response.getHeaders()).toEqual({
        'access-control-allow-origin': 'https://app.example.com',
        vary: 'Origin',
      });
    });

    it("writes a refused upgrade's Vary, which its 403 copies", () => {
      const { request, response } = answered();
      new CorsResponder({}).answerHandshake(request, refusal(REFUSED), false);
      expect(response.getHeaders()).toEqual({ vary: 'Origin' });
    });
  });

  describe('reporting a refusal', () => {
    it('calls onReject once with the policy, the rejection, its sentence and the request', () => {
      const events: Array<[CorsRejectionEvent, unknown]> = [];
      const { request } = answered();
      new CorsResponder({ onReject: (event, platformRequest) => events.push([event, platformRequest]) }).answer(
        request,
        refusal(REFUSED),
      );
      expect(events).toEqual([
        [
          {
            kind: 'actual',
            policy: 'tenants',
            rejection: REFUSED,
            reason: describeRejection(REFUSED, TENANTS),
            method: 'GET',
            path: '/tenant',
            origin: EVIL,
          },
          request.request,
        ],
      ]);
    });

    it('does not call onReject for an allowed request', () => {
      const events: CorsRejectionEvent[] = [];
      new CorsResponder({ onReject: (event) => events.push(event) }).answer(answered().request, decision({}));
      expect(events).toEqual([]);
    });

    it('logs a throwing onReject and goes on', () => {
      const options: CorsModuleOptions = {
        onReject: () => {
          throw new Error('metrics down');
        },
      };
      expect(() => new CorsResponder(options).answer(answered().request, refusal(REFUSED))).not.toThrow();
      expect(logged.error).toEqual(['onReject hook failed: metrics down']);
    });
  });

  describe('the refusal reason header (exposeRejectionReason)', () => {
    it.each([
      [true, describeRejection(REFUSED, TENANTS)],
      [false, undefined],
      [undefined, undefined],
    ])('with exposeRejectionReason %s, a refusal carries %j', (exposeRejectionReason, header) => {
      const { request, response } = answered();
      new CorsResponder({ exposeRejectionReason }).answer(request, refusal(REFUSED));
      expect(response.getHeader('X-CORS-Rejection-Reason')).toBe(header);
    });

    it('never carries it on an allowed request', () => {
      const { request, response } = answered('https://app.example.com');
      new CorsResponder({ exposeRejectionReason: true }).answer(request, decision({}));
      expect(response.getHeader('X-CORS-Rejection-Reason')).toBeUndefined();
    });
  });

  describe('warnings of a failing predicate', () => {
    const failures = (responder: CorsResponder, count: number, rejection: CorsRejection = PREDICATE_FAILED): void => {
      for (let i = 0; i < count; i += 1) responder.answer(answered().request, refusal(rejection));
    };

    it('warns whatever the log level, naming the request and the reason', () => {
      failures(new CorsResponder({}), 1);
      expect(logged.warn).toEqual([
        `refused actual GET /tenant request=req-1 origin="${EVIL}": ${describeRejection(PREDICATE_FAILED, TENANTS)}`,
      ]);
    });

    it('are one per policy and failure in 10 s', () => {
      failures(new CorsResponder({}), 30);
      expect(logged.warn).toHaveLength(1);
    });

    it('say how many were left out with the first line after the interval', () => {
      const responder = new CorsResponder({});
      failures(responder, 25);
      now += 10_000;
      failures(responder, 1);
      expect(logged.warn).toHaveLength(2);
      expect(logged.warn[1]).toBe(
        `refused actual GET /tenant request=req-1 origin="${EVIL}": ${describeRejection(PREDICATE_FAILED, TENANTS)} (and 24 more like it in the 10 s before, not logged)`,
      );
    });

    it('follow the rejectionLog interval', () => {
      const responder = new CorsResponder({ rejectionLog: { interval: 1_000 } });
      failures(responder, 3);
      now += 1_000;
      failures(responder, 3);
      expect(logged.warn).toHaveLength(2);
      expect(logged.warn[1]).toMatch(/\(and 2 more like it in the 1 s before, not logged\)$/);
    });

    it('count each kind of failure on its own', () => {
      const responder = new CorsResponder({});
      failures(responder, 10);
      failures(responder, 10, { code: 'origin-predicate-timeout', origin: EVIL, timeoutMs: 300 });
      expect(logged.warn).toHaveLength(2);
    });

    it('are not written for an ordinary refusal (debug only)', () => {
      failures(new CorsResponder({}), 3, REFUSED);
      expect(logged.warn).toEqual([]);
    });
  });

  describe('report-only', () => {
    const reportOnly = new CorsResponder({ mode: 'report-only' });
    /** A refused request whose answer another layer writes with `writeHead()`, allowing `EVIL`. */
    const answeredByAnotherLayer = (responder: CorsResponder): { ending: string; response: ServerResponse } => {
      const { request, response } = answered();
      const ending = responder.answer(request, decision({ allowed: false, rejection: REFUSED, ending: 'refusal' }));
      response.writeHead(200, { 'Access-Control-Allow-Origin': EVIL });
      return { ending, response };
    };

    it('writes nothing, ends nothing, and warns of the answer that differs, with both', () => {
      const { ending, response } = answeredByAnotherLayer(reportOnly);
      expect(ending).toBe('continue');
      expect(response.getHeader('Vary')).toBeUndefined();
      expect(logged.warn).toEqual([
        `report-only: policy 'tenants' refuses actual GET /tenant request=req-1 origin="${EVIL}", the answer sent allows it: sent Allow-Origin "${EVIL}"; the policy would send Allow-Origin (none)`,
      ]);
    });

    it('warns once per policy and interval, then with the count', () => {
      const responder = new CorsResponder({ mode: 'report-only' });
      for (let i = 0; i < 5; i += 1) answeredByAnotherLayer(responder);
      now += 10_000;
      answeredByAnotherLayer(responder);
      expect(logged.warn).toHaveLength(2);
      expect(logged.warn[1]).toMatch(/\(and 4 more like it in the 10 s before, not logged\)$/);
    });

    it("enforces a policy whose own mode is 'enforce'", () => {
      const enforced = compilePolicy('enforced', { origins: ['https://app.example.com'], mode: 'enforce' });
      const { request } = answered();
      expect(reportOnly.answer(request, decision({ policy: enforced, allowed: false, ending: 'refusal' }))).toBe(
        'refusal',
      );
    });
  });
});
