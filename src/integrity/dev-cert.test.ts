import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  certFileName,
  generateDevCertificate,
  keyFileName,
  runDevCertCommand,
} from './dev-cert.js';

const dayMs = 24 * 60 * 60 * 1000;

describe('generateDevCertificate', () => {
  it('covers localhost, 127.0.0.1 and ::1 only', async () => {
    const { certPem } = await generateDevCertificate();

    const certificate = new X509Certificate(certPem);
    assert.equal(certificate.checkHost('localhost'), 'localhost');
    assert.equal(certificate.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(certificate.checkIP('::1'), '::1');
    assert.equal(certificate.checkHost('shop.example'), undefined);
    assert.equal(certificate.checkIP('10.0.0.1'), undefined);
  });

  it('is a leaf certificate for TLS servers', async () => {
    const { certPem } = await generateDevCertificate();

    const certificate = new X509Certificate(certPem);
    assert.equal(certificate.ca, false);
    assert.deepEqual(certificate.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(certificate.verify(certificate.publicKey), true);
  });

  it('is valid for a year from now', async () => {
    const now = new Date('2030-01-01T00:00:00Z');

    const { certPem, notAfter } = await generateDevCertificate(now);

    const certificate = new X509Certificate(certPem);
    assert.equal(new Date(certificate.validFrom).getTime(), now.getTime());
    assert.equal(notAfter.getTime(), now.getTime() + 365 * dayMs);
  });

  it('pairs the certificate with its key', async () => {
    const { certPem, keyPem } = await generateDevCertificate();

    assert.equal(new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem)), true);
  });
});

describe('runDevCertCommand', () => {
  let dir: string;
  const printed: string[] = [];
  const originalLog = console.log;
  const originalError = console.error;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'storefort-cert-'));
    console.log = (...parts: unknown[]) => void printed.push(parts.join(' '));
    console.error = (...parts: unknown[]) => void printed.push(parts.join(' '));
  });

  after(() => {
    console.log = originalLog;
    console.error = originalError;
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the key with mode 0600', async () => {
    const out = join(dir, 'tls');

    const code = await runDevCertCommand(['--out', out]);

    assert.equal(code, 0);
    assert.equal(statSync(join(out, keyFileName)).mode & 0o777, 0o600);
    assert.equal(statSync(join(out, certFileName)).mode & 0o777, 0o644);
    const certificate = new X509Certificate(readFileSync(join(out, certFileName)));
    assert.equal(certificate.checkHost('localhost'), 'localhost');
  });

  it('prints how to start the shop with the files', async () => {
    printed.length = 0;
    const out = join(dir, 'printed');

    await runDevCertCommand(['--out', out]);

    const output = printed.join('\n');
    assert.ok(output.includes(`--tls-cert ${join(out, certFileName)}`), output);
    assert.ok(output.includes(`--tls-key ${join(out, keyFileName)}`), output);
    assert.ok(output.includes('PUBLIC_URL=https://localhost:3000'), output);
  });

  it('keeps existing files unless --force is given', async () => {
    const out = join(dir, 'existing');
    await runDevCertCommand(['--out', out]);
    const firstCert = readFileSync(join(out, certFileName), 'utf8');

    const refused = await runDevCertCommand(['--out', out]);

    assert.equal(refused, 1);
    assert.equal(readFileSync(join(out, certFileName), 'utf8'), firstCert);
  });

  it('replaces files with --force and resets the key mode', async () => {
    const out = join(dir, 'forced');
    await runDevCertCommand(['--out', out]);
    const firstCert = readFileSync(join(out, certFileName), 'utf8');
    chmodSync(join(out, keyFileName), 0o644);
    writeFileSync(join(out, keyFileName), 'stale');

    const code = await runDevCertCommand(['--out', out, '--force']);

    assert.equal(code, 0);
    assert.notEqual(readFileSync(join(out, certFileName), 'utf8'), firstCert);
    assert.equal(statSync(join(out, keyFileName)).mode & 0o777, 0o600);
    assert.match(readFileSync(join(out, keyFileName), 'utf8'), /PRIVATE KEY/);
  });

  it('rejects an unknown option with exit code 64', async () => {
    const code = await runDevCertCommand(['--outdir', dir]);

    assert.equal(code, 64);
  });
});
