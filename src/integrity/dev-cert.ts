import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { generate } from 'selfsigned';

export const defaultCertDir = join('data', 'tls');
export const certFileName = 'localhost-cert.pem';
export const keyFileName = 'localhost-key.pem';

/** Days a development certificate stays valid. */
const validityDays = 365;

const usage = `Usage: storefort dev-cert [--out DIR] [--force]

Writes a self-signed certificate for localhost, 127.0.0.1 and ::1, and its private key.

Options:
  --out DIR   directory for ${certFileName} and ${keyFileName} (default ./${defaultCertDir})
  --force     replace the files if they already exist`;

export interface DevCertificate {
  certPem: string;
  keyPem: string;
  notAfter: Date;
  fingerprint256: string;
}

/**
 * Generates a self-signed ECDSA P-256 certificate for local development, with subject alternative
 * names DNS:localhost, IP:127.0.0.1 and IP:::1, usable for TLS server authentication only.
 */
export async function generateDevCertificate(now = new Date()): Promise<DevCertificate> {
  const notAfter = new Date(now.getTime() + validityDays * 24 * 60 * 60 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });

  const certificate = new X509Certificate(pems.cert);
  return {
    certPem: pems.cert,
    keyPem: pems.private,
    notAfter: new Date(certificate.validTo),
    fingerprint256: certificate.fingerprint256,
  };
}

/**
 * Runs `storefort dev-cert [--out DIR] [--force]`: writes the certificate (mode 0644) and the
 * private key (mode 0600) to DIR, default ./data/tls, and prints how to start the shop with
 * them. Existing files are kept unless --force is given. Returns the process exit code.
 */
export async function runDevCertCommand(args: string[]): Promise<number> {
  let options: { out: string; force: boolean };
  try {
    const { values } = parseArgs({
      args,
      options: { out: { type: 'string' }, force: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
    options = { out: values.out ?? defaultCertDir, force: values.force ?? false };
  } catch (error) {
    console.error(`storefort dev-cert: ${(error as Error).message}\n\n${usage}`);
    return 64;
  }

  const certPath = join(options.out, certFileName);
  const keyPath = join(options.out, keyFileName);
  const existing = [certPath, keyPath].filter((path) => existsSync(path));
  if (existing.length > 0 && !options.force) {
    const verb = existing.length > 1 ? 'exist' : 'exists';
    console.error(
      `storefort dev-cert: ${existing.join(' and ')} already ${verb}. ` +
        'Pass --force to replace, or --out DIR to write elsewhere.',
    );
    return 1;
  }

  const certificate = await generateDevCertificate();
  writeCertificateFiles(options.out, certPath, keyPath, certificate);
  console.log(instructions(certPath, keyPath, certificate));
  return 0;
}

function writeCertificateFiles(
  dir: string,
  certPath: string,
  keyPath: string,
  certificate: DevCertificate,
): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  // The mode option applies only when a file is created, so a replaced file is chmod-ed too.
  writeFileSync(keyPath, certificate.keyPem, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, certificate.certPem, { mode: 0o644 });
  chmodSync(certPath, 0o644);
}

function instructions(certPath: string, keyPath: string, certificate: DevCertificate): string {
  const cert = displayPath(certPath);
  const key = displayPath(keyPath);
  return [
    `Wrote ${cert} (certificate) and ${key} (private key, mode 0600).`,
    `Valid for localhost, 127.0.0.1 and ::1 until ${certificate.notAfter.toISOString()}.`,
    `SHA-256 fingerprint: ${certificate.fingerprint256}`,
    '',
    'Start the shop over HTTPS (TLS 1.3 only) with:',
    `  PUBLIC_URL=https://localhost:3000 NODE_EXTRA_CA_CERTS=${cert} \\`,
    `    npx storefort start --tls-cert ${cert} --tls-key ${key}`,
    '',
    'NODE_EXTRA_CA_CERTS lets the sandbox gateway trust the certificate when it delivers',
    'payment webhooks to the shop; without it no order is ever marked paid.',
    '',
    'Browsers warn about a self-signed certificate; accept it for localhost or add the',
    'certificate to your trust store. It is meant for development only.',
  ].join('\n');
}

/** Returns the path relative to the working directory when it lies inside it, else absolute. */
function displayPath(path: string): string {
  const absolute = resolve(path);
  const fromCwd = relative(process.cwd(), absolute);
  return fromCwd === '' || fromCwd.startsWith('..') || isAbsolute(fromCwd) ? absolute : fromCwd;
}
