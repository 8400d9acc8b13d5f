/**
 * The table of routes and their effective policies: logged at start-up and
 * printed by `npm run cors:routes`, so both always agree.
 */
import type { CompiledCorsPolicy } from './policy.js';

export interface RouteReportRow {
  readonly method: string;
  readonly path: string;
  readonly policy: CompiledCorsPolicy | undefined;
}

const HEADINGS = ['METHOD', 'PATH', 'POLICY', 'ORIGINS', 'METHODS', 'HEADERS', 'EXPOSED', 'CREDENTIALS', 'MAX-AGE', 'STRICT'];

function list(values: readonly string[]): string {
  return values.length === 0 ? '-' : values.join(',');
}

function cells(row: RouteReportRow): string[] {
  const policy = row.policy;
  if (!policy) {
    return [row.method, row.path, '(none)', '-', '-', '-', '-', '-', '-', '-'];
  }
  const declared = policy.declared;
  const origins = declared.origins === '*' ? '*' : list(declared.origins);
  return [
    row.method,
    row.path,
    policy.name,
    declared.hasOriginPredicate ? `${origins} +predicate` : origins,
    list(declared.methods),
    list(declared.allowedHeaders),
    list(declared.exposedHeaders),
    declared.credentials ? 'yes' : 'no',
    String(declared.maxAge),
    declared.strict ? 'yes' : 'no',
  ];
}

export function formatRouteTable(rows: readonly RouteReportRow[]): string {
  const table = [HEADINGS, ...rows.map(cells)];
  const widths = HEADINGS.map((_, column) => Math.max(...table.map((r) => (r[column] ?? '').length)));
  return table.map((r) => r.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}
