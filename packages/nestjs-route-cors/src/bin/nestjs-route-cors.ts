#!/usr/bin/env node
/**
 * `npx nestjs-route-cors verify --report routes.json https://api.example.com`:
 * probes the deployed stack with requests derived from the route report
 * (`cors:routes --json`, or `routeReportJson(app.get(CorsPolicies).routeReport())`)
 * and prints what a proxy, CDN or gateway in front of the app breaks.
 * Exit 0: nothing found; 1: findings; 2: bad input or the stack did not answer.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CorsRouteReportJson } from '../core/route-report-json.js';
import { probedRoutes } from '../verify/verify-probes.js';
import { verifyStack } from '../verify/verify-stack.js';

const USAGE = `Usage: nestjs-route-cors verify --report <routes.json> [--sample <path>]... <base-url>

  --report  the route report as JSON: the output of cors:routes --json, or routeReportJson(app.get(CorsPolicies).routeReport())
  --sample  a request target to probe a route with, e.g. /greet?name=Alice or /items/42; repeat it.
            Without one, a route's parameters are filled with "verify" (a cache keeps only what the app answers 200)
  <base-url> where browsers reach the API, e.g. https://api.example.com (the proxy, CDN or gateway in front of the app)

Only preflights and GET/HEAD requests are sent. Exit code: 0 nothing found, 1 findings, 2 bad input or no answer.`;

const EXIT_BAD_INPUT = 2;

class BadInput extends Error {}

function isRouteReport(value: unknown): value is CorsRouteReportJson {
  if (typeof value !== 'object' || value === null) return false;
  const lists = ['routes', 'paths', 'gateways'].map((key) => (value as Record<string, unknown>)[key]);
  return lists.every(
    (list) =>
      Array.isArray(list) &&
      list.every(
        (row: unknown) =>
          typeof row === 'object' && row !== null && 'method' in row && 'path' in row && 'policy' in row,
      ),
  );
}

function readReport(path: string): CorsRouteReportJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BadInput(`--report ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isRouteReport(parsed))
    throw new BadInput(`--report ${path} is not a route report: write it with cors:routes --json`);
  return parsed;
}

function parsedArguments() {
  try {
    return parseArgs({
      options: {
        report: { type: 'string' },
        sample: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new BadInput(error instanceof Error ? error.message : String(error));
  }
}

function parseInput(): { report: CorsRouteReportJson; samples: string[]; base: URL } {
  const { values, positionals } = parsedArguments();
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const [command, base, ...extra] = positionals;
  if (command !== 'verify')
    throw new BadInput(command === undefined ? 'name a command: verify' : `unknown command "${command}"`);
  if (values.report === undefined || base === undefined || extra.length > 0)
    throw new BadInput('verify takes --report and one base URL');
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol))
    throw new BadInput(`"${base}" is not an http:// or https:// URL`);
  return { report: readReport(values.report), samples: values.sample, base: new URL(base) };
}

async function main(): Promise<number> {
  const { report, samples, base } = parseInput();
  const { routes, skipped } = probedRoutes(report, samples);
  for (const reason of skipped) console.log(`skipped ${reason}`);
  const { findings, requests } = await verifyStack(base, routes);
  for (const finding of findings) console.log(`${finding.code}: ${finding.message}`);
  console.log(
    `verify: ${findings.length} finding${findings.length === 1 ? '' : 's'} over ${requests} requests to ${base.origin}, ${routes.length} routes.`,
  );
  return findings.length > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(error instanceof BadInput ? `${message}\n\n${USAGE}` : `verify stopped: ${message}`);
    process.exitCode = EXIT_BAD_INPUT;
  },
);
