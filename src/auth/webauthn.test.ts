import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { hashToken, randomToken } from '../server/ids.js';
import { SoftwareAuthenticator } from './test-authenticator.js';
import { openAuthTestDb } from './test-db.js';
import { mfaStatus, regenerateRecoveryCodes } from './totp.js';
import {
  finishPasskeyLogin,
  finishPasskeyRegistration,
  listPasskeys,
  relyingPartyFor,
  removePasskey,
  startPasskeyLogin,
  startPasskeyRegistration,
} from './webauthn.js';

const rp = relyingPartyFor(new URL('https://shop.example.com'));
const ada = { id: 'customer-ada', email: 'ada@example.com' };
const grace = { id: 'customer-grace', email: 'grace@example.com' };
const start = new Date('2030-01-01T10:00:00.000Z');

function secondsAfter(seconds: number): Date {
  return new Date(start.getTime() + seconds * 1000);
}

let db: Kysely<Database>;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await openAuthTestDb());
});
after(() => close());
beforeEach(async () => {
  await db.deleteFrom('auth_challenges').execute();
  await db.deleteFrom('webauthn_credentials').execute();
  await db.deleteFrom('mfa_recovery_codes').execute();
});

function isPasskeyRejected(error: unknown): boolean {
  assert.equal((error as { code?: string }).code, 'PASSKEY_REJECTED');
  return true;
}

/** Registers a new software passkey for `account` and returns it. */
async function registerPasskey(account = ada, name = 'Laptop') {
  const authenticator = new SoftwareAuthenticator(rp.origin, rp.rpID);
  const key = randomToken();
  const options = await startPasskeyRegistration(db, rp, 'customer', account, key, start);

  await finishPasskeyRegistration(
    db,
    rp,
    'customer',
    account.id,
    key,
    authenticator.register(options),
    name,
    secondsAfter(10),
  );
  return authenticator;
}

async function countRows(table: 'auth_challenges' | 'webauthn_credentials'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('startPasskeyRegistration', () => {
  it('returns options for a discoverable ES256 passkey without attestation', async () => {
    const options = await startPasskeyRegistration(db, rp, 'customer', ada, randomToken(), start);

    assert.deepEqual(options.rp, { name: 'Storefort', id: 'shop.example.com' });
    assert.equal(options.user.name, 'ada@example.com');
    assert.equal(Buffer.from(options.user.id, 'base64url').toString(), 'customer-ada');
    assert.equal(options.attestation, 'none');
    assert.equal(options.authenticatorSelection?.residentKey, 'required');
    assert.ok(options.pubKeyCredParams.some((param) => param.alg === -7));
    assert.match(options.challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(options.excludeCredentials, []);
  });

  it('stores the challenge under the key hash for 5 minutes', async () => {
    const key = randomToken();

    const options = await startPasskeyRegistration(db, rp, 'customer', ada, key, start);

    const rows = await db.selectFrom('auth_challenges').selectAll().execute();
    assert.deepEqual(rows, [
      {
        key_hash: hashToken(key),
        purpose: 'webauthn_register',
        realm: 'customer',
        account_id: 'customer-ada',
        challenge: options.challenge,
        expires_at: '2030-01-01T10:05:00.000Z',
      },
    ]);
  });

  it('excludes the passkeys the account already has', async () => {
    const existing = await registerPasskey();

    const options = await startPasskeyRegistration(db, rp, 'customer', ada, randomToken(), start);

    assert.deepEqual(options.excludeCredentials, [
      { id: existing.id, transports: ['internal'], type: 'public-key' },
    ]);
  });

  it('clears expired challenges', async () => {
    await startPasskeyRegistration(db, rp, 'customer', ada, randomToken(), start);

    await startPasskeyRegistration(db, rp, 'customer', ada, randomToken(), secondsAfter(301));

    assert.equal(await countRows('auth_challenges'), 1);
  });
});

describe('finishPasskeyRegistration', () => {
  it('stores the verified credential with its public key', async () => {
    const authenticator = await registerPasskey(ada, '  Work laptop  ');

    const rows = await db.selectFrom('webauthn_credentials').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.id, authenticator.id);
    assert.equal(rows[0]!.account_id, 'customer-ada');
    assert.equal(rows[0]!.realm, 'customer');
    assert.equal(rows[0]!.counter, 0);
    assert.equal(rows[0]!.transports, '["internal"]');
    assert.equal(rows[0]!.name, 'Work laptop');
    assert.ok(rows[0]!.public_key.length > 80);
    assert.equal(await countRows('auth_challenges'), 0);
  });

  it('uses a challenge only once', async () => {
    const authenticator = new SoftwareAuthenticator(rp.origin, rp.rpID);
    const key = randomToken();
    const options = await startPasskeyRegistration(db, rp, 'customer', ada, key, start);
    const response = authenticator.register(options);
    await finishPasskeyRegistration(db, rp, 'customer', ada.id, key, response, 'One', start);
    await db.deleteFrom('webauthn_credentials').execute();

    await assert.rejects(
      finishPasskeyRegistration(db, rp, 'customer', ada.id, key, response, 'Two', start),
      isPasskeyRejected,
    );
    assert.equal(await countRows('webauthn_credentials'), 0);
  });

  it('rejects an expired challenge', async () => {
    const authenticator = new SoftwareAuthenticator(rp.origin, rp.rpID);
    const key = randomToken();
    const options = await startPasskeyRegistration(db, rp, 'customer', ada, key, start);

    await assert.rejects(
      finishPasskeyRegistration(
        db,
        rp,
        'customer',
        ada.id,
        key,
        authenticator.register(options),
        'Late',
        secondsAfter(300),
      ),
      isPasskeyRejected,
    );
    assert.equal(await countRows('webauthn_credentials'), 0);
  });

  it('rejects a challenge issued to another account', async () => {
    const authenticator = new SoftwareAuthenticator(rp.origin, rp.rpID);
    const key = randomToken();
    const options = await startPasskeyRegistration(db, rp, 'customer', grace, key, start);

    await assert.rejects(
      finishPasskeyRegistration(
        db,
        rp,
        'customer',
        ada.id,
        key,
        authenticator.register(options),
        'X',
        start,
      ),
      isPasskeyRejected,
    );
    assert.equal(await countRows('webauthn_credentials'), 0);
  });

  it('rejects a response made for another origin or challenge', async () => {
    const authenticator = new SoftwareAuthenticator(rp.origin, rp.rpID);
    const phished = new SoftwareAuthenticator('https://shop.example.com.evil.test', rp.rpID);
    const firstKey = randomToken();
    const secondKey = randomToken();
    const options = await startPasskeyRegistration(db, rp, 'customer', ada, firstKey, start);
    const other = await startPasskeyRegistration(db, rp, 'customer', ada, secondKey, start);

    await assert.rejects(
      finishPasskeyRegistration(
        db,
        rp,
        'customer',
        ada.id,
        firstKey,
        phished.register(options),
        'X',
        start,
      ),
      isPasskeyRejected,
    );
    await assert.rejects(
      finishPasskeyRegistration(
        db,
        rp,
        'customer',
        ada.id,
        secondKey,
        authenticator.register(options),
        'X',
        start,
      ),
      isPasskeyRejected,
    );
    assert.notEqual(other.challenge, options.challenge);
    assert.equal(await countRows('webauthn_credentials'), 0);
  });

  it('rejects malformed responses', async () => {
    for (const response of [
      null,
      'text',
      {},
      { id: 'x' },
      { id: 'x', response: { attestationObject: 'AAAA' } },
    ]) {
      const key = randomToken();
      await startPasskeyRegistration(db, rp, 'customer', ada, key, start);

      await assert.rejects(
        finishPasskeyRegistration(db, rp, 'customer', ada.id, key, response, 'X', start),
        isPasskeyRejected,
      );
    }
  });
});

describe('passkey login', () => {
  it('signs in with a discoverable passkey and advances the counter', async () => {
    const authenticator = await registerPasskey();
    const key = randomToken();
    const options = await startPasskeyLogin(db, rp, 'customer', key, undefined, start);

    const result = await finishPasskeyLogin(
      db,
      rp,
      'customer',
      key,
      authenticator.login(options),
      undefined,
      secondsAfter(5),
    );

    assert.deepEqual(result, { accountId: 'customer-ada' });
    assert.deepEqual(options.allowCredentials, []);
    assert.equal(options.userVerification, 'required');
    const row = await db.selectFrom('webauthn_credentials').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.counter, 1);
    assert.equal(row.last_used_at, secondsAfter(5).toISOString());
  });

  it('uses a login challenge only once', async () => {
    const authenticator = await registerPasskey();
    const key = randomToken();
    const options = await startPasskeyLogin(db, rp, 'customer', key, undefined, start);
    const response = authenticator.login(options);
    await finishPasskeyLogin(db, rp, 'customer', key, response, undefined, start);

    await assert.rejects(
      finishPasskeyLogin(db, rp, 'customer', key, authenticator.login(options), undefined, start),
      isPasskeyRejected,
    );
  });

  it('rejects an expired login challenge', async () => {
    const authenticator = await registerPasskey();
    const key = randomToken();
    const options = await startPasskeyLogin(db, rp, 'customer', key, undefined, start);

    await assert.rejects(
      finishPasskeyLogin(
        db,
        rp,
        'customer',
        key,
        authenticator.login(options),
        undefined,
        secondsAfter(300),
      ),
      isPasskeyRejected,
    );
  });

  it('demands user verification only for passwordless login', async () => {
    const authenticator = await registerPasskey();
    const passwordless = randomToken();
    const secondFactor = randomToken();
    const first = await startPasskeyLogin(db, rp, 'customer', passwordless, undefined, start);
    const second = await startPasskeyLogin(db, rp, 'customer', secondFactor, ada.id, start);

    await assert.rejects(
      finishPasskeyLogin(
        db,
        rp,
        'customer',
        passwordless,
        authenticator.login(first, { userVerified: false }),
        undefined,
        start,
      ),
      isPasskeyRejected,
    );
    const result = await finishPasskeyLogin(
      db,
      rp,
      'customer',
      secondFactor,
      authenticator.login(second, { userVerified: false }),
      ada.id,
      start,
    );

    assert.deepEqual(result, { accountId: 'customer-ada' });
    assert.deepEqual(second.allowCredentials, [
      { id: authenticator.id, transports: ['internal'], type: 'public-key' },
    ]);
  });

  it('rejects another account’s passkey as a second factor', async () => {
    const gracePasskey = await registerPasskey(grace);
    await registerPasskey(ada);
    const key = randomToken();
    const options = await startPasskeyLogin(db, rp, 'customer', key, ada.id, start);

    await assert.rejects(
      finishPasskeyLogin(db, rp, 'customer', key, gracePasskey.login(options), ada.id, start),
      isPasskeyRejected,
    );
  });

  it('rejects a second-factor challenge used for passwordless login', async () => {
    const authenticator = await registerPasskey();
    const key = randomToken();
    const options = await startPasskeyLogin(db, rp, 'customer', key, ada.id, start);

    await assert.rejects(
      finishPasskeyLogin(db, rp, 'customer', key, authenticator.login(options), undefined, start),
      isPasskeyRejected,
    );
  });

  it('rejects a passkey of the other realm', async () => {
    const authenticator = await registerPasskey();
    const key = randomToken();
    const options = await startPasskeyLogin(db, rp, 'staff', key, undefined, start);

    await assert.rejects(
      finishPasskeyLogin(db, rp, 'staff', key, authenticator.login(options), undefined, start),
      isPasskeyRejected,
    );
  });

  it('rejects a cloned authenticator whose counter falls behind', async () => {
    const authenticator = await registerPasskey();
    const clone = authenticator.clone();
    for (let round = 0; round < 2; round += 1) {
      const key = randomToken();
      const options = await startPasskeyLogin(db, rp, 'customer', key, undefined, start);
      await finishPasskeyLogin(
        db,
        rp,
        'customer',
        key,
        authenticator.login(options),
        undefined,
        start,
      );
    }
    const key = randomToken();
    const options = await startPasskeyLogin(db, rp, 'customer', key, undefined, start);

    await assert.rejects(
      finishPasskeyLogin(db, rp, 'customer', key, clone.login(options), undefined, start),
      isPasskeyRejected,
    );
    const row = await db.selectFrom('webauthn_credentials').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.counter, 2);
  });

  it('rejects a forged signature and a foreign origin', async () => {
    const authenticator = await registerPasskey();
    const forgedKey = randomToken();
    const phishedKey = randomToken();
    const forgedOptions = await startPasskeyLogin(db, rp, 'customer', forgedKey, undefined, start);
    const phishedOptions = await startPasskeyLogin(
      db,
      rp,
      'customer',
      phishedKey,
      undefined,
      start,
    );
    const forged = authenticator.login(forgedOptions);
    const signature = Buffer.from(forged.response.signature, 'base64url');
    signature[signature.length - 1]! ^= 1;
    forged.response.signature = signature.toString('base64url');

    await assert.rejects(
      finishPasskeyLogin(db, rp, 'customer', forgedKey, forged, undefined, start),
      isPasskeyRejected,
    );
    await assert.rejects(
      finishPasskeyLogin(
        db,
        rp,
        'customer',
        phishedKey,
        authenticator.login(phishedOptions, { origin: 'https://evil.test' }),
        undefined,
        start,
      ),
      isPasskeyRejected,
    );
  });

  it('rejects an unknown credential', async () => {
    await registerPasskey();
    const stranger = new SoftwareAuthenticator(rp.origin, rp.rpID);
    const key = randomToken();
    const options = await startPasskeyLogin(db, rp, 'customer', key, undefined, start);

    await assert.rejects(
      finishPasskeyLogin(db, rp, 'customer', key, stranger.login(options), undefined, start),
      isPasskeyRejected,
    );
  });
});

describe('listPasskeys and removePasskey', () => {
  it('lists only the account’s passkeys without key material', async () => {
    const laptop = await registerPasskey(ada, 'Laptop');
    await registerPasskey(grace, 'Phone');

    const passkeys = await listPasskeys(db, 'customer', ada.id);

    assert.deepEqual(passkeys, [
      {
        id: laptop.id,
        name: 'Laptop',
        createdAt: secondsAfter(10).toISOString(),
        lastUsedAt: null,
      },
    ]);
  });

  it('answers NOT_FOUND for another account’s passkey and keeps it', async () => {
    const gracePasskey = await registerPasskey(grace);

    await assert.rejects(removePasskey(db, 'customer', ada.id, gracePasskey.id), {
      code: 'NOT_FOUND',
    });
    assert.equal(await countRows('webauthn_credentials'), 1);
  });

  it('removes recovery codes with the last second factor', async () => {
    const first = await registerPasskey(ada, 'Laptop');
    const second = await registerPasskey(ada, 'Phone');
    await regenerateRecoveryCodes(db, 'customer', ada.id);

    await removePasskey(db, 'customer', ada.id, first.id);
    const afterFirst = await mfaStatus(db, 'customer', ada.id);
    await removePasskey(db, 'customer', ada.id, second.id);
    const afterSecond = await mfaStatus(db, 'customer', ada.id);

    assert.deepEqual(afterFirst, { totp: false, passkeys: 1, recoveryCodesLeft: 10 });
    assert.deepEqual(afterSecond, { totp: false, passkeys: 0, recoveryCodesLeft: 0 });
  });
});
