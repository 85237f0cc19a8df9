import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { findLeaks, scanLogDir } from '../../scripts/scan-test-logs.mjs';

// Lines as pino writes them; each bad one carries a secret the scan of a test run must catch.
const badLines: [string, string][] = [
  [
    'argon2 password hash',
    '{"level":30,"hash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g","msg":"x"}',
  ],
  ['password with a value', '{"level":30,"body":{"email":"[redacted]","password":"hunter22"}}'],
  ['password with a value', '{"level":30,"body":{"currentPassword":"hunter22"}}'],
  ['otpauth URI', '{"level":30,"uri":"otpauth://totp/Storefort:ada?issuer=Storefort"}'],
  ['secret= parameter', '{"level":30,"url":"/enrol?issuer=Storefort&secret=JBSWY3DPEHPK3PXP"}'],
  ['cookie header value', '{"level":30,"req":{"headers":{"cookie":"theme=dark"}}}'],
  ['cookie header value', '{"level":30,"res":{"headers":{"set-cookie":["a=b; Path=/"]}}}'],
  ['cookie header value', '{"level":50,"msg":"failed with __Host-session=abcdefghijklmnop"}'],
  ['authorization header value', '{"level":30,"req":{"headers":{"authorization":"Basic eA=="}}}'],
  ['authorization header value', '{"level":50,"err":"sent Bearer sfk_0123456789abcdefghijk"}'],
  ['token= query parameter', '{"level":30,"location":"/account/reset?token=abc123"}'],
];

const cleanLines = [
  '{"level":30,"reqId":"r1","req":{"method":"POST","path":"/api/store/auth/login"},"msg":"incoming request"}',
  '{"level":30,"req":{"headers":{"cookie":"[redacted]","authorization":"[redacted]"}}}',
  '{"level":30,"body":{"password":"[redacted]","secret":"[redacted]","token":"[redacted]"}}',
  '{"level":30,"customerId":"abc","stage":"mfa_pending","msg":"customer logged in"}',
  '{"level":30,"mailId":3,"kind":"reset_password","subject":"Reset your password"}',
  '{"level":40,"msg":"password hashing is busy; request rejected"}',
];

describe('test log scanner', () => {
  for (const [rule, line] of badLines) {
    it(`flags ${rule}: ${line.slice(12, 60)}`, () => {
      assert.ok(findLeaks(line).includes(rule), `${rule} not found in ${line}`);
    });
  }

  for (const line of cleanLines) {
    it(`passes ${line.slice(12, 60)}`, () => {
      assert.deepEqual(findLeaks(line), []);
    });
  }

  it('reports file, line number and line count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'storefort-scan-test-'));
    try {
      writeFileSync(join(dir, 'a.shop.log'), `${cleanLines.join('\n')}\n`);
      writeFileSync(join(dir, 'b.admin.log'), `${cleanLines[0]}\n${badLines[0]![1]}\n`);
      writeFileSync(join(dir, 'notes.txt'), `${badLines[1]![1]}\n`);

      const result = await scanLogDir(dir);

      assert.equal(result.files, 2);
      assert.equal(result.lines, cleanLines.length + 2);
      assert.deepEqual(result.hits, [
        { file: 'b.admin.log', line: 2, rules: ['argon2 password hash'] },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
