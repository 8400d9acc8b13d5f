/**
 * The route report as JSON (`cors:routes --json`): what every route, path rule and gateway allows, in
 * the normalised form, for tools that read it (`nestjs-route-cors verify`).
 */
import type { NormalisedPolicyOptions } from './policy.js';
import type { CorsPolicyVersion } from './policy-version.js';
import type { CorsRouteReport, RouteReportRow } from './route-report.js';
import { PUBLIC_SUFFIX_LIST } from './unsafe-origins.js';

export interface RouteReportJsonRow {
  readonly method: string;
  readonly path: string;
  readonly host?: string;
  readonly version?: string;
  readonly handler?: string;
  /** The policy's name and what it allows; null: no CORS. */
  readonly policy: ({ readonly name: string } & NormalisedPolicyOptions) | null;
}

export interface CorsRouteReportJson {
  readonly routes: readonly RouteReportJsonRow[];
  readonly paths: readonly RouteReportJsonRow[];
  readonly gateways: readonly RouteReportJsonRow[];
  readonly publicSuffixList: string;
  readonly policyVersion?: CorsPolicyVersion;
}

function jsonRow({ method, path, host, version, handler, policy }: RouteReportRow): RouteReportJsonRow {
  return {
    method,
    path,
    ...(host === undefined ? {} : { host }),
    ...(version === undefined ? {} : { version }),
    ...(handler === undefined ? {} : { handler }),
    policy: policy === undefined ? null : { name: policy.name, ...policy.declared },
  };
}

export function routeReportJson(report: CorsRouteReport): CorsRouteReportJson {
  return {
    routes: report.routes.map(jsonRow),
    paths: report.paths.map(jsonRow),
    gateways: report.gateways.map(jsonRow),
    publicSuffixList: PUBLIC_SUFFIX_LIST,
    ...(report.policyVersion === undefined ? {} : { policyVersion: report.policyVersion }),
  };
}
