/**
 * The audit's findings for people (text), for scripts (JSON) and for code
 * scanning (SARIF 2.1.0, OASIS; GitHub code scanning reads it).
 */
import { AUDIT_RULES, AUDIT_SEVERITIES, type AuditCode, type AuditFinding, type AuditSeverity } from './audit.js';

export type AuditFormat = 'text' | 'json' | 'sarif';
export const AUDIT_FORMATS: readonly AuditFormat[] = ['text', 'json', 'sarif'];

export interface AuditFormatOptions {
  readonly format: AuditFormat;
}

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://www.npmjs.com/package/nestjs-route-cors';

/** SARIF §3.27.10 has three levels of problem and `none`; the finding's own severity goes in its properties. */
const SARIF_LEVELS: Readonly<Record<AuditSeverity, 'error' | 'warning' | 'note'>> = {
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
/** GitHub code scanning ranks security results by this property (a CVSS-like score, as a string). */
const SECURITY_SEVERITY: Readonly<Record<AuditSeverity, string>> = {
  high: '8.0',
  medium: '5.0',
  low: '3.0',
  info: '0.0',
};

function summary(findings: readonly AuditFinding[]): string {
  if (findings.length === 0) return 'CORS audit: no findings.';
  const counts = AUDIT_SEVERITIES.map(
    (severity) => `${findings.filter((f) => f.severity === severity).length} ${severity}`,
  );
  return `CORS audit: ${findings.length} finding${findings.length === 1 ? '' : 's'} (${counts.join(', ')}).`;
}

function textOf(finding: AuditFinding): string {
  const lines = [`${finding.severity.toUpperCase()} ${finding.code}: ${finding.message}`];
  if (finding.routes.length > 0) lines.push(`  routes: ${finding.routes.join('; ')}`);
  lines.push(`  fix: ${finding.fix}`);
  return lines.join('\n');
}

/** The rules findings cite, once each, in the order of the catalogue. */
function citedRules(findings: readonly AuditFinding[]): AuditCode[] {
  const cited = new Set(findings.map((finding) => finding.code));
  return (Object.keys(AUDIT_RULES) as AuditCode[]).filter((code) => cited.has(code));
}

function sarifOf(findings: readonly AuditFinding[]): object {
  const rules = citedRules(findings);
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nestjs-route-cors',
            informationUri: INFORMATION_URI,
            rules: rules.map((code) => ({
              id: code,
              name: code,
              shortDescription: { text: AUDIT_RULES[code].title },
              fullDescription: { text: AUDIT_RULES[code].why },
              properties: { tags: ['security', 'cors'] },
            })),
          },
        },
        results: findings.map((finding) => ({
          ruleId: finding.code,
          ruleIndex: rules.indexOf(finding.code),
          level: SARIF_LEVELS[finding.severity],
          message: { text: `${finding.message}. Fix: ${finding.fix}.` },
          // A policy has no source position the module knows: it is named as a logical location (SARIF §3.33).
          locations: [
            {
              logicalLocations: [
                {
                  name: finding.policy,
                  kind: 'object',
                  fullyQualifiedName:
                    finding.entry === undefined ? finding.policy : `${finding.policy}/${finding.entry}`,
                },
              ],
            },
          ],
          properties: {
            severity: finding.severity,
            'security-severity': SECURITY_SEVERITY[finding.severity],
            routes: finding.routes,
            ...(finding.entry === undefined ? {} : { entry: finding.entry }),
            fix: finding.fix,
          },
        })),
      },
    ],
  };
}

/** The findings as `cors:audit` prints them. */
export function formatAudit(findings: readonly AuditFinding[], { format }: AuditFormatOptions): string {
  switch (format) {
    case 'json':
      return JSON.stringify(findings, null, 2);
    case 'sarif':
      return JSON.stringify(sarifOf(findings), null, 2);
    case 'text':
      return [...findings.map(textOf), summary(findings)].join('\n\n');
  }
}
