import { type Static, Type } from 'typebox';

// Browsers write these bodies, not clients we publish a schema for, and they add members over
// time. The envelopes are exact. The inner objects accept members beyond those listed, since
// refusing them would drop real reports, but only the listed members are ever read or stored.

const lineNumber = Type.Integer({ minimum: 0 });

/** The `csp-report` member sent to a `report-uri` (CSP Level 2 and 3, `application/csp-report`). */
const legacyViolation = Type.Object(
  {
    'document-uri': Type.Optional(Type.String()),
    referrer: Type.Optional(Type.String()),
    'blocked-uri': Type.Optional(Type.String()),
    'effective-directive': Type.Optional(Type.String()),
    'violated-directive': Type.Optional(Type.String()),
    'original-policy': Type.Optional(Type.String()),
    disposition: Type.Optional(Type.String()),
    'status-code': Type.Optional(Type.Integer()),
    'script-sample': Type.Optional(Type.String()),
    'source-file': Type.Optional(Type.String()),
    'line-number': Type.Optional(lineNumber),
    'column-number': Type.Optional(lineNumber),
  },
  { additionalProperties: true },
);

export const legacyReportBody = Type.Object(
  { 'csp-report': legacyViolation },
  { additionalProperties: false },
);

/** The body of a `csp-violation` report from the Reporting API (CSP Level 3). */
const violationBody = Type.Object(
  {
    documentURL: Type.Optional(Type.String()),
    referrer: Type.Optional(Type.String()),
    blockedURL: Type.Optional(Type.String()),
    effectiveDirective: Type.Optional(Type.String()),
    originalPolicy: Type.Optional(Type.String()),
    sourceFile: Type.Optional(Type.String()),
    sample: Type.Optional(Type.String()),
    disposition: Type.Optional(Type.String()),
    statusCode: Type.Optional(Type.Integer()),
    lineNumber: Type.Optional(lineNumber),
    columnNumber: Type.Optional(lineNumber),
  },
  { additionalProperties: true },
);

/**
 * A batch of reports as the Reporting API delivers it (`application/reports+json`). Each report
 * has exactly the five members the Reporting API defines. At most 20 reports, which bounds the
 * rows one request can store.
 */
export const reportingApiBody = Type.Array(
  Type.Object(
    {
      type: Type.String(),
      age: Type.Optional(Type.Integer({ minimum: 0 })),
      url: Type.String(),
      user_agent: Type.Optional(Type.String()),
      body: violationBody,
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 20 },
);

export type LegacyReportBody = Static<typeof legacyReportBody>;
export type ReportingApiBody = Static<typeof reportingApiBody>;
