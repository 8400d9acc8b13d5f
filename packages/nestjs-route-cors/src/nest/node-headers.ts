/**
 * Writing an answer's CORS headers on Node's response for less than
 * `setHeader()` costs. Each `setHeader()` checks the name against the token
 * grammar, checks the value, lower-cases the name and files it in the
 * response's header table: about 4,300 instructions for
 * `Access-Control-Allow-Origin` on Node 20, 1,900 for the shorter `Vary`
 * (callgrind, the two headers of an allowed answer against none: +10,473 per
 * answer through `setHeader()`, +3,553 filed directly). The names written here
 * are this package's own constants, checked against the token grammar once;
 * every value is still checked as Node checks it, and one Node would refuse
 * goes through `setHeader()`, which refuses it as before.
 *
 * The table is Node's `kOutHeaders` (entries `[name, value]` under the
 * lower-case name, since Node 8), which `getHeader()`, `removeHeader()` and
 * the written head read. It is found by probing a response once; where a Node
 * keeps it otherwise, or the probe fails in any way, every header goes
 * through `setHeader()`.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
/** Where an answer's headers go: Node's `ServerResponse` has this shape, and so can a platform's reply. */
export interface CorsHeaderTarget {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: string): unknown;
}

type HeaderTable = Record<string, [string, string] | undefined>;

/** Node's own value check (`checkInvalidHeaderChar`): a control character other than HTAB, or DEL. */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** RFC 9110 §5.6.2 token: what a header name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isHeaderTable(value: unknown): value is HeaderTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Probes a response: the symbol under which this Node keeps its header table, if it reads back as expected. */
function probeHeaderTable(): symbol | undefined {
  try {
    const probe = new ServerResponse(new IncomingMessage(new Socket()));
    probe.setHeader('X-Probe', 'set');
    for (const key of Object.getOwnPropertySymbols(probe)) {
      const table: unknown = Reflect.get(probe, key);
      if (!isHeaderTable(table) || table['x-probe']?.[1] !== 'set') continue;
      table['x-filed'] = ['X-Filed', 'filed'];
      probe.writeHead(204);
      const head: unknown = Reflect.get(probe, '_header');
      const readsBack =
        probe.getHeader('X-Filed') === 'filed' && typeof head === 'string' && head.includes('\r\nX-Filed: filed\r\n');
      return readsBack ? key : undefined;
    }
  } catch {
    // Any surprise: setHeader() for everything.
  }
  return undefined;
}

let headerTableKey: symbol | undefined | null = null;
const lowerCaseNames = new Map<string, string>();

/** The lower-case name a header is filed under; undefined for a name that is not a token (never filed directly). */
function filedName(name: string): string | undefined {
  let lower = lowerCaseNames.get(name);
  if (lower === undefined && TOKEN.test(name)) {
    lower = name.toLowerCase();
    lowerCaseNames.set(name, lower);
  }
  return lower;
}

/**
 * Sets a header on `target` as `setHeader()` does; on Node's response, by
 * filing it in the response's header table when that is safe. `name` is one
 * of this package's constants: the names filed are cached, one entry each.
 */
export function writeHeader(target: CorsHeaderTarget, name: string, value: string): void {
  if (target instanceof ServerResponse && !target.headersSent && !INVALID_VALUE.test(value)) {
    if (headerTableKey === null) headerTableKey = probeHeaderTable();
    const table: unknown = headerTableKey === undefined ? undefined : Reflect.get(target, headerTableKey);
    const lower = isHeaderTable(table) ? filedName(name) : undefined;
    if (lower !== undefined) {
      (table as HeaderTable)[lower] = [name, value];
      return;
    }
  }
  target.setHeader(name, value);
}
