import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';

import { createRateLimiter, clientKey } from '../defense/rate-limit.js';
import { recordSecurityEvent } from '../defense/security-events.js';
import type { ShopDeps } from '../server/app.js';
import { AppError } from '../server/errors.js';
import {
  type LegacyReportBody,
  legacyReportBody,
  type ReportingApiBody,
  reportingApiBody,
} from './csp-report.schema.js';
import { cspReportPath } from './headers.js';

const legacyMediaType = 'application/csp-report';
const reportingApiMediaType = 'application/reports+json';

/** Reports larger than this are rejected with 413. A real report is 1–2 KiB. */
export const maxReportBytes = 8 * 1024;

/** Report requests accepted per client address and minute; more get 429 and are not stored. */
export const reportsPerMinute = 30;

/** Stored strings are cut to this many characters. */
const maxFieldLength = 200;

/** One CSP violation as stored in the `details` of a `csp_violation` security event. */
export interface StoredViolation {
  directive: string | null;
  blockedUri: string | null;
  documentPath: string | null;
  sourceFile: string | null;
  line: number | null;
  column: number | null;
  disposition: string | null;
}

/**
 * Registers POST /csp-report, where browsers send Content-Security-Policy violations, in the
 * `report-uri` format and as Reporting API batches. Each violation is stored as a `csp_violation`
 * security event without query strings, since URLs on this shop can carry order-link tokens.
 * Browsers send reports from any page, so the route opts out of the cross-site check. A
 * per-address rate limit bounds what one client can store instead.
 */
export function registerCspReportRoute(app: FastifyInstance, deps: ShopDeps): void {
  // A plugin scope, so these parsers replace JSON and form parsing on this route only.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      [legacyMediaType, reportingApiMediaType],
      { parseAs: 'string', bodyLimit: maxReportBytes },
      scope.getDefaultJsonParser('error', 'error'),
    );

    const limiter = createRateLimiter({ limit: reportsPerMinute, windowMs: 60_000 });

    scope.post(
      cspReportPath,
      {
        schema: {
          hide: true,
          body: {
            content: {
              [legacyMediaType]: { schema: legacyReportBody },
              [reportingApiMediaType]: { schema: reportingApiBody },
            },
          },
          response: { 204: Type.Null() },
        },
        config: { crossSite: true },
        bodyLimit: maxReportBytes,
        onRequest: async (request, reply) => {
          const decision = limiter.take(clientKey(request.ip));
          if (decision.allowed) return;

          reply.header('retry-after', String(decision.retryAfterSeconds));
          throw new AppError('RATE_LIMITED', 'Too many CSP reports from this address.');
        },
        // The body schema applies to the two report types only, so anything else stops here.
        preValidation: async (request) => {
          if (request.mediaType === legacyMediaType) return;
          if (request.mediaType === reportingApiMediaType) return;
          throw new AppError(
            'UNSUPPORTED_MEDIA_TYPE',
            `Send a report as ${legacyMediaType} or ${reportingApiMediaType}.`,
          );
        },
      },
      async (request, reply) => {
        const violations = violationsIn(request.body as LegacyReportBody | ReportingApiBody);
        await storeViolations(deps, request, violations);
        return reply.code(204).send();
      },
    );
  });
}

/** Extracts the violations to store; Reporting API reports of other types are skipped. */
export function violationsIn(body: LegacyReportBody | ReportingApiBody): StoredViolation[] {
  if (!Array.isArray(body)) {
    const report = body['csp-report'];
    return [
      storedViolation({
        directive: report['effective-directive'] ?? report['violated-directive'],
        blockedUri: report['blocked-uri'],
        documentUrl: report['document-uri'],
        sourceFile: report['source-file'],
        line: report['line-number'],
        column: report['column-number'],
        disposition: report.disposition,
      }),
    ];
  }

  return body
    .filter((report) => report.type === 'csp-violation')
    .map(({ body: report }) =>
      storedViolation({
        directive: report.effectiveDirective,
        blockedUri: report.blockedURL,
        documentUrl: report.documentURL,
        sourceFile: report.sourceFile,
        line: report.lineNumber,
        column: report.columnNumber,
        disposition: report.disposition,
      }),
    );
}

async function storeViolations(
  deps: ShopDeps,
  request: FastifyRequest,
  violations: StoredViolation[],
): Promise<void> {
  if (violations.length === 0) return;

  await deps.db.kysely.transaction().execute(async (trx) => {
    for (const violation of violations) {
      await recordSecurityEvent({ db: trx, limits: deps.limits }, request, 'csp_violation', {
        ...violation,
      });
    }
  });
}

function storedViolation(report: {
  directive: string | undefined;
  blockedUri: string | undefined;
  documentUrl: string | undefined;
  sourceFile: string | undefined;
  line: number | undefined;
  column: number | undefined;
  disposition: string | undefined;
}): StoredViolation {
  return {
    directive: truncate(report.directive),
    blockedUri: truncate(withoutQuery(report.blockedUri)),
    documentPath: truncate(pathOf(report.documentUrl)),
    sourceFile: truncate(withoutQuery(report.sourceFile)),
    line: report.line ?? null,
    column: report.column ?? null,
    disposition: truncate(report.disposition),
  };
}

/**
 * Keeps the origin and path of an http(s) URL. Of other URLs (`data:`, `blob:`) only the scheme
 * is kept. Values that are not URLs (`inline`, `eval`, `self`) stay as they are.
 */
function withoutQuery(value: string | undefined): string | undefined {
  const url = parseUrl(value);
  if (!url) return value;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return url.protocol;
  return `${url.origin}${url.pathname}`;
}

function pathOf(value: string | undefined): string | undefined {
  return parseUrl(value)?.pathname;
}

function parseUrl(value: string | undefined): URL | undefined {
  if (value === undefined || !URL.canParse(value)) return undefined;
  return new URL(value);
}

function truncate(value: string | undefined): string | null {
  if (value === undefined) return null;
  return value.length > maxFieldLength ? `${value.slice(0, maxFieldLength)}…` : value;
}
