/**
 * `npm run cors:audit [-- --format text|json|sarif] [--fail-on high|medium|low]`: reviews every CORS policy, route
 * and gateway of the service as configured. Exit 0: no finding reaches --fail-on (default low; info never fails);
 * 1: one does; 2: bad input. The service enables no CSRF protection: credentialed POST routes are reported unless strict.
 */
import { parseArgs } from 'node:util';
import {
  AUDIT_FORMATS,
  AUDIT_SEVERITIES,
  type AuditFormat,
  type AuditSeverity,
  CorsPolicies,
  formatAudit,
  reaches,
} from 'nestjs-route-cors';
import { APP_CONFIG, type AppConfig } from '../common/app-config.js';
import { createAppContext } from './app-context.js';
import { EXIT_BAD_INPUT } from './exit-codes.js';

const FAIL_ON: readonly AuditSeverity[] = AUDIT_SEVERITIES.filter((severity) => severity !== 'info');

const USAGE = `Usage: npm run cors:audit -- [--format text|json|sarif] [--fail-on high|medium|low]

  --format   text (default), json, or sarif (SARIF 2.1.0, for code scanning)
  --fail-on  the least severe finding that fails the command (default low; info findings never fail)

Exit code: 0 no finding reaches --fail-on, 1 one does, 2 bad input.`;

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    console.error(`--${flag} ${value} is none of ${allowed.join(', ')}.\n\n${USAGE}`);
    process.exit(EXIT_BAD_INPUT);
  }
  return found;
}

function parseInput(): { format: AuditFormat; failOn: AuditSeverity } {
  try {
    const { values } = parseArgs({
      options: {
        format: { type: 'string', default: 'text' },
        'fail-on': { type: 'string', default: 'low' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    return {
      format: oneOf('format', values.format, AUDIT_FORMATS),
      failOn: oneOf('fail-on', values['fail-on'], FAIL_ON),
    };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(EXIT_BAD_INPUT);
  }
}

const { format, failOn } = parseInput();
const context = await createAppContext();
try {
  const { production } = context.get<string, AppConfig>(APP_CONFIG);
  const findings = context.get(CorsPolicies).audit({ production });
  console.log(formatAudit(findings, { format }));
  const failing = findings.filter((finding) => reaches(finding, failOn));
  if (failing.length > 0 && format === 'text')
    console.error(`cors:audit: ${failing.length} finding(s) at ${failOn} or above.`);
  process.exitCode = failing.length > 0 ? 1 : 0;
} finally {
  await context.close();
}
