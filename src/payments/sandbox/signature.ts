import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header that carries the sandbox gateway's webhook signature. */
export const signatureHeader = 'storefort-signature';

/** How far a signature timestamp may lie in the past or the future, in seconds. */
export const signatureToleranceSeconds = 300;

const maxHeaderLength = 1024;
const maxSignatures = 8;

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Computes the hex HMAC-SHA256 of `<timestamp>.<raw body>`. Signing the timestamp together with
 * the body stops an attacker from replaying an old body under a fresh timestamp.
 */
export function computeSignature(secret: string, timestamp: number, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** Builds the header value `t=<unix seconds>,v1=<hex signature>` for a webhook body. */
export function signatureHeaderValue(
  secret: string,
  rawBody: Buffer,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, rawBody)}`;
}

/**
 * Checks a `t=…,v1=…` header against the raw body. The header may carry several v1 values (as
 * during a key rotation); one match is enough. Unknown keys are skipped so that a later scheme
 * can be added beside v1. The timestamp must lie within `toleranceSeconds` of `nowSeconds` in
 * either direction.
 */
export function checkSignature(
  secret: string,
  header: string | string[] | undefined,
  rawBody: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = signatureToleranceSeconds,
): SignatureCheck {
  if (header === undefined) return { ok: false, reason: 'signature header missing' };
  if (Array.isArray(header)) return { ok: false, reason: 'signature header repeated' };
  if (header.length > maxHeaderLength) return { ok: false, reason: 'signature header too long' };

  const parsed = parseSignatureHeader(header);
  if (!parsed.ok) return parsed;

  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) {
    return { ok: false, reason: 'signature timestamp outside tolerance' };
  }

  const expected = Buffer.from(computeSignature(secret, parsed.timestamp, rawBody), 'hex');
  const matches = parsed.signatures.some((candidate) =>
    timingSafeEqual(Buffer.from(candidate, 'hex'), expected),
  );
  if (!matches) return { ok: false, reason: 'signature mismatch' };

  return { ok: true, timestamp: parsed.timestamp };
}

type ParsedHeader =
  { ok: true; timestamp: number; signatures: string[] } | { ok: false; reason: string };

function parseSignatureHeader(header: string): ParsedHeader {
  let timestamp: number | undefined;
  const signatures: string[] = [];

  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) return { ok: false, reason: 'signature header malformed' };
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();

    if (key === 't') {
      if (timestamp !== undefined) return { ok: false, reason: 'signature timestamp repeated' };
      if (!/^\d{1,12}$/.test(value)) return { ok: false, reason: 'signature timestamp invalid' };
      timestamp = Number(value);
    } else if (key === 'v1') {
      // A v1 value is exactly 32 bytes of hex, so timingSafeEqual always gets equal lengths.
      if (!/^[0-9a-f]{64}$/.test(value)) return { ok: false, reason: 'signature value invalid' };
      signatures.push(value);
    }
  }

  if (timestamp === undefined) return { ok: false, reason: 'signature timestamp missing' };
  if (signatures.length === 0) return { ok: false, reason: 'signature value missing' };
  if (signatures.length > maxSignatures) return { ok: false, reason: 'too many signatures' };
  return { ok: true, timestamp, signatures };
}
