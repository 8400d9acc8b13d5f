import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { AuditFinding } from './audit.js';
import { formatAudit } from './audit-format.js';

/** SARIF 2.1.0's schema, vendored with its source and notice (test/schemas/README.md). */
const SARIF_SCHEMA: object = JSON.parse(
  readFileSync(new URL('../../test/schemas/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
) as object;

/** A real validator over the OASIS schema (JSON Schema draft-04, `uri` and `date-time` formats). */
function sarifErrors(log: unknown): string[] {
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(SARIF_SCHEMA);
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

const FINDINGS: AuditFinding[] = [
  {
    code: 'tolerated-null-origin-with-credentials',
    severity: 'high',
    policy: 'frames',
    routes: ['GET /embed'],
    entry: 'null',
    message: 'policy \'frames\' tolerates origins entry "null"',
    fix: 'remove "null"',
  },
  {
    code: 'unused-policy',
    severity: 'info',
    policy: 'old',
    routes: [],
    message: "policy 'old' is registered, but no route uses it",
    fix: 'remove it',
  },
];

describe('formatAudit', () => {
  it('prints text: a block per finding, then a summary', () => {
    const text = formatAudit(FINDINGS, { format: 'text' });
    expect(text.split('\n\n')).toEqual([
      'HIGH tolerated-null-origin-with-credentials: policy \'frames\' tolerates origins entry "null"\n  routes: GET /embed\n  fix: remove "null"',
      "INFO unused-policy: policy 'old' is registered, but no route uses it\n  fix: remove it",
      'CORS audit: 2 findings (1 high, 0 medium, 0 low, 1 info).',
    ]);
    expect(formatAudit([], { format: 'text' })).toBe('CORS audit: no findings.');
  });

  it('prints JSON that reads back as the findings', () => {
    expect(JSON.parse(formatAudit(FINDINGS, { format: 'json' }))).toEqual(FINDINGS);
  });

  it('prints SARIF 2.1.0 that the OASIS schema validates, with and without findings', () => {
    for (const findings of [FINDINGS, []]) {
      const log: unknown = JSON.parse(formatAudit(findings, { format: 'sarif' }));
      expect(sarifErrors(log)).toEqual([]);
    }
  });

  it('makes each finding a result of its rule, at its level', () => {
    const log = JSON.parse(formatAudit(FINDINGS, { format: 'sarif' })) as {
      runs: [
        {
          tool: { driver: { rules: Array<{ id: string }> } };
          results: Array<{ ruleId: string; ruleIndex: number; level: string; properties: { severity: string } }>;
        },
      ];
    };
    const [run] = log.runs;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['tolerated-null-origin-with-credentials', 'unused-policy']);
    expect(run.results.map((r) => [r.ruleId, r.ruleIndex, r.level, r.properties.severity])).toEqual([
      ['tolerated-null-origin-with-credentials', 0, 'error', 'high'],
      ['unused-policy', 1, 'note', 'info'],
    ]);
  });

  it('fails the schema when a result is malformed, so the validation can fail', () => {
    const log = JSON.parse(formatAudit(FINDINGS, { format: 'sarif' })) as {
      runs: Array<{ results: Array<Record<string, unknown>> }>;
    };
    const result = log.runs[0]?.results[0];
    if (result) result['level'] = 'critical';
    expect(sarifErrors(log).length).toBeGreaterThan(0);
  });
});
