import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';

import type { Database } from '../db/schema.js';
import { openSealedSecret, sealSecret } from './seal.js';
import { openAuthTestDb } from './test-db.js';
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  disableTotp,
  hasMfa,
  mfaStatus,
  regenerateRecoveryCodes,
  useRecoveryCode,
  verifyTotp,
} from './totp.js';

const sealKey = randomBytes(32);
const start = new Date('2030-01-01T10:00:00.000Z');

function secondsAfter(seconds: number): Date {
  return new Date(start.getTime() + seconds * 1000);
}

function codeAt(secret: string, at: Date): string {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at.getTime() });
}

let db: Kysely<Database>;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await openAuthTestDb());
});
after(() => close());
beforeEach(async () => {
  await db.deleteFrom('mfa_totp').execute();
  await db.deleteFrom('mfa_recovery_codes').execute();
  await db.deleteFrom('webauthn_credentials').execute();
});

/** Enrols and confirms an authenticator for `accountId`; returns its secret and codes. */
async function enrol(accountId = 'customer-1') {
  const { secret } = await beginTotpEnrolment(
    db,
    sealKey,
    'customer',
    accountId,
    'ada@example.com',
    'Storefort',
    start,
  );
  const recoveryCodes = await confirmTotpEnrolment(
    db,
    sealKey,
    'customer',
    accountId,
    codeAt(secret, start),
    start,
  );
  return { secret, recoveryCodes };
}

describe('beginTotpEnrolment', () => {
  it('returns a base32 secret, an otpauth URI and a QR code', async () => {
    const enrolment = await beginTotpEnrolment(
      db,
      sealKey,
      'customer',
      'customer-1',
      'ada@example.com',
    );

    assert.match(enrolment.secret, /^[A-Z2-7]{32}$/);
    const uri = new URL(enrolment.uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Storefort:ada@example.com');
    assert.equal(uri.searchParams.get('secret'), enrolment.secret);
    assert.equal(uri.searchParams.get('issuer'), 'Storefort');
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.match(enrolment.qrSvg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.doesNotMatch(enrolment.qrSvg, /<script|style=/i);
  });

  it('stores the secret sealed, never in clear', async () => {
    const { secret } = await beginTotpEnrolment(db, sealKey, 'customer', 'customer-1', 'ada');

    const row = await db.selectFrom('mfa_totp').selectAll().executeTakeFirstOrThrow();
    assert.ok(!row.secret_sealed.includes(secret));
    assert.ok(!JSON.stringify(row).toUpperCase().includes(secret));
    assert.equal(row.confirmed_at, null);
    assert.equal(openSealedSecret(sealKey, row.secret_sealed, 'totp:customer:customer-1'), secret);
  });

  it('replaces an unconfirmed enrolment', async () => {
    const first = await beginTotpEnrolment(db, sealKey, 'customer', 'customer-1', 'ada');
    const second = await beginTotpEnrolment(db, sealKey, 'customer', 'customer-1', 'ada');

    assert.notEqual(first.secret, second.secret);
    await assert.rejects(
      confirmTotpEnrolment(
        db,
        sealKey,
        'customer',
        'customer-1',
        codeAt(first.secret, start),
        start,
      ),
      { code: 'INVALID_CODE' },
    );
    const codes = await confirmTotpEnrolment(
      db,
      sealKey,
      'customer',
      'customer-1',
      codeAt(second.secret, start),
      start,
    );
    assert.equal(codes.length, 10);
  });

  it('rejects a second enrolment once one is confirmed', async () => {
    const { secret } = await enrol();

    await assert.rejects(beginTotpEnrolment(db, sealKey, 'customer', 'customer-1', 'ada'), {
      code: 'ALREADY_EXISTS',
    });
    assert.equal(
      await verifyTotp(
        db,
        sealKey,
        'customer',
        'customer-1',
        codeAt(secret, secondsAfter(30)),
        secondsAfter(30),
      ),
      true,
    );
  });
});

describe('confirmTotpEnrolment', () => {
  it('rejects a wrong code and stays unconfirmed', async () => {
    const { secret } = await beginTotpEnrolment(db, sealKey, 'customer', 'customer-1', 'ada');
    const right = codeAt(secret, start);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');

    await assert.rejects(
      confirmTotpEnrolment(db, sealKey, 'customer', 'customer-1', wrong, start),
      { code: 'INVALID_CODE' },
    );

    assert.deepEqual(await mfaStatus(db, 'customer', 'customer-1'), {
      totp: false,
      passkeys: 0,
      recoveryCodesLeft: 0,
    });
  });

  it('rejects confirmation without a pending enrolment', async () => {
    await assert.rejects(
      confirmTotpEnrolment(db, sealKey, 'customer', 'customer-1', '123456', start),
      { code: 'INVALID_CODE' },
    );
  });

  it('returns 10 distinct recovery codes and stores only hashes', async () => {
    const { recoveryCodes } = await enrol();

    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    for (const code of recoveryCodes) assert.match(code, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = JSON.stringify(await db.selectFrom('mfa_recovery_codes').selectAll().execute());
    for (const code of recoveryCodes) {
      assert.ok(!stored.includes(code));
      assert.ok(!stored.includes(code.replace('-', '')));
    }
    assert.deepEqual(await mfaStatus(db, 'customer', 'customer-1'), {
      totp: true,
      passkeys: 0,
      recoveryCodesLeft: 10,
    });
  });
});

describe('verifyTotp', () => {
  it('accepts a current code once and rejects its replay', async () => {
    const { secret } = await enrol();
    const later = secondsAfter(60);
    const code = codeAt(secret, later);

    assert.equal(await verifyTotp(db, sealKey, 'customer', 'customer-1', code, later), true);
    assert.equal(await verifyTotp(db, sealKey, 'customer', 'customer-1', code, later), false);
    assert.equal(
      await verifyTotp(db, sealKey, 'customer', 'customer-1', code, secondsAfter(75)),
      false,
    );
  });

  it('rejects the confirmation code afterwards', async () => {
    const { secret } = await enrol();

    const replay = await verifyTotp(
      db,
      sealKey,
      'customer',
      'customer-1',
      codeAt(secret, start),
      secondsAfter(10),
    );

    assert.equal(replay, false);
  });

  it('accepts the previous and next step but not further', async () => {
    const { secret } = await enrol();
    const now = secondsAfter(300);

    assert.equal(
      await verifyTotp(
        db,
        sealKey,
        'customer',
        'customer-1',
        codeAt(secret, secondsAfter(240)),
        now,
      ),
      false,
      'two steps old',
    );
    assert.equal(
      await verifyTotp(
        db,
        sealKey,
        'customer',
        'customer-1',
        codeAt(secret, secondsAfter(270)),
        now,
      ),
      true,
      'one step old',
    );
    assert.equal(
      await verifyTotp(
        db,
        sealKey,
        'customer',
        'customer-1',
        codeAt(secret, secondsAfter(330)),
        now,
      ),
      true,
      'one step ahead',
    );
    assert.equal(
      await verifyTotp(db, sealKey, 'customer', 'customer-1', codeAt(secret, now), now),
      false,
      'earlier than the last accepted step',
    );
  });

  it('rejects wrong, malformed and foreign codes', async () => {
    const { secret } = await enrol();
    const other = await enrol('customer-2');
    const now = secondsAfter(120);
    const right = codeAt(secret, now);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    const foreign = codeAt(other.secret, now);

    for (const code of [wrong, '', '12345', '1234567', 'abcdef', `${right}0`]) {
      assert.equal(await verifyTotp(db, sealKey, 'customer', 'customer-1', code, now), false, code);
    }
    if (foreign !== right) {
      assert.equal(await verifyTotp(db, sealKey, 'customer', 'customer-1', foreign, now), false);
    }
    assert.equal(await verifyTotp(db, sealKey, 'staff', 'customer-1', right, now), false);
    assert.equal(await verifyTotp(db, sealKey, 'customer', 'customer-1', right, now), true);
  });

  it('accepts a code typed with a space', async () => {
    const { secret } = await enrol();
    const now = secondsAfter(90);
    const code = codeAt(secret, now);

    const result = await verifyTotp(
      db,
      sealKey,
      'customer',
      'customer-1',
      `${code.slice(0, 3)} ${code.slice(3)}`,
      now,
    );

    assert.equal(result, true);
  });

  it('lets only one of two simultaneous uses of a code succeed', async () => {
    const { secret } = await enrol();
    const now = secondsAfter(90);
    const code = codeAt(secret, now);

    const results = await Promise.all([
      verifyTotp(db, sealKey, 'customer', 'customer-1', code, now),
      verifyTotp(db, sealKey, 'customer', 'customer-1', code, now),
    ]);

    assert.deepEqual(results.sort(), [false, true]);
  });

  it('rejects codes of an unconfirmed enrolment', async () => {
    const { secret } = await beginTotpEnrolment(db, sealKey, 'customer', 'customer-1', 'ada');

    const result = await verifyTotp(
      db,
      sealKey,
      'customer',
      'customer-1',
      codeAt(secret, start),
      start,
    );

    assert.equal(result, false);
  });

  it('fails to open a secret sealed under another key', async () => {
    const { secret } = await enrol();
    const now = secondsAfter(90);

    await assert.rejects(
      verifyTotp(db, randomBytes(32), 'customer', 'customer-1', codeAt(secret, now), now),
      /failed authentication/,
    );
  });
});

describe('recovery codes', () => {
  it('accept each code once, in any case and spacing', async () => {
    const { recoveryCodes } = await enrol();
    const [first, second] = recoveryCodes as [string, string];

    assert.equal(await useRecoveryCode(db, 'customer', 'customer-1', first), true);
    assert.equal(await useRecoveryCode(db, 'customer', 'customer-1', first), false);
    assert.equal(
      await useRecoveryCode(
        db,
        'customer',
        'customer-1',
        ` ${second.toUpperCase().replace('-', ' ')} `,
      ),
      true,
    );
    assert.equal((await mfaStatus(db, 'customer', 'customer-1')).recoveryCodesLeft, 8);
  });

  it('reject another account’s code and unknown codes', async () => {
    await enrol('customer-1');
    const other = await enrol('customer-2');

    assert.equal(
      await useRecoveryCode(db, 'customer', 'customer-1', other.recoveryCodes[0]!),
      false,
    );
    assert.equal(await useRecoveryCode(db, 'customer', 'customer-1', 'aaaaa-aaaaa'), false);
    assert.equal(await useRecoveryCode(db, 'customer', 'customer-1', ''), false);
    assert.equal((await mfaStatus(db, 'customer', 'customer-1')).recoveryCodesLeft, 10);
  });

  it('regeneration voids the old codes', async () => {
    const { recoveryCodes } = await enrol();

    const fresh = await regenerateRecoveryCodes(db, 'customer', 'customer-1');

    assert.equal(await useRecoveryCode(db, 'customer', 'customer-1', recoveryCodes[0]!), false);
    assert.equal(await useRecoveryCode(db, 'customer', 'customer-1', fresh[0]!), true);
    assert.equal((await mfaStatus(db, 'customer', 'customer-1')).recoveryCodesLeft, 9);
  });
});

describe('disableTotp and hasMfa', () => {
  it('removes the authenticator and its recovery codes', async () => {
    const { secret, recoveryCodes } = await enrol();
    assert.equal(await hasMfa(db, 'customer', 'customer-1'), true);

    await disableTotp(db, 'customer', 'customer-1');

    const now = secondsAfter(90);
    assert.equal(
      await verifyTotp(db, sealKey, 'customer', 'customer-1', codeAt(secret, now), now),
      false,
    );
    assert.equal(await useRecoveryCode(db, 'customer', 'customer-1', recoveryCodes[0]!), false);
    assert.equal(await hasMfa(db, 'customer', 'customer-1'), false);
  });

  it('keeps recovery codes while a passkey remains', async () => {
    const { recoveryCodes } = await enrol();
    await db
      .insertInto('webauthn_credentials')
      .values({
        id: 'credential-1',
        realm: 'customer',
        account_id: 'customer-1',
        public_key: 'key',
        counter: 0,
        transports: '[]',
        name: 'Laptop',
        created_at: start.toISOString(),
        last_used_at: null,
      })
      .execute();

    await disableTotp(db, 'customer', 'customer-1');

    assert.deepEqual(await mfaStatus(db, 'customer', 'customer-1'), {
      totp: false,
      passkeys: 1,
      recoveryCodesLeft: 10,
    });
    assert.equal(await hasMfa(db, 'customer', 'customer-1'), true);
    assert.equal(await useRecoveryCode(db, 'customer', 'customer-1', recoveryCodes[0]!), true);
  });
});

describe('sealSecret', () => {
  it('binds the sealed value to its context and detects changes', () => {
    const key = randomBytes(32);
    const sealed = sealSecret(key, 'JBSWY3DPEHPK3PXP', 'totp:customer:a');

    assert.notEqual(sealed, sealSecret(key, 'JBSWY3DPEHPK3PXP', 'totp:customer:a'));
    assert.equal(openSealedSecret(key, sealed, 'totp:customer:a'), 'JBSWY3DPEHPK3PXP');
    assert.throws(() => openSealedSecret(key, sealed, 'totp:customer:b'), /failed authentication/);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[2]!, 'base64url');
    flipped[0]! ^= 1;
    parts[2] = flipped.toString('base64url');
    assert.throws(() => openSealedSecret(key, parts.join('.'), 'totp:customer:a'), /failed/);
    assert.throws(() => openSealedSecret(key, 'JBSWY3DPEHPK3PXP', 'totp:customer:a'), /malformed/);
  });
});
