import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as OTPAuth from 'otpauth';

import { SoftwareAuthenticator } from '../../src/auth/test-authenticator.js';
import { hashToken } from '../../src/server/ids.js';
import { type StoreTest, startStoreTest } from '../support/store-api.js';
import { Browser, createAccount, statusWithSession, strongPassword } from './auth-support.js';

let store: StoreTest;

before(async () => {
  store = await startStoreTest();
});

after(() => store.close());

const optionsUrl = (ceremony: 'register' | 'login') =>
  `/api/store/auth/mfa/passkeys/${ceremony}/options`;
const verifyUrl = (ceremony: 'register' | 'login') =>
  `/api/store/auth/mfa/passkeys/${ceremony}/verify`;

function authenticatorForShop(): SoftwareAuthenticator {
  const url = store.shop.deps.config.publicUrl;
  return new SoftwareAuthenticator(url.origin, url.hostname);
}

function totpCode(secret: string, stepOffset = 0): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), period: 30 });
  return totp.generate({ timestamp: Date.now() + stepOffset * 30_000 });
}

/** Creates a signed-in account with one passkey; returns its browser and authenticator. */
async function accountWithPasskey(email: string) {
  const browser = await createAccount(store.app, store.db, email);
  await browser.login(email, strongPassword);
  const authenticator = authenticatorForShop();
  const options = await browser.request('POST', optionsUrl('register'), {});
  assert.equal(options.statusCode, 200, options.body);
  const added = await browser.request('POST', verifyUrl('register'), {
    response: authenticator.register(options.json()),
    name: 'Laptop',
  });
  assert.equal(added.statusCode, 200, added.body);
  return { browser, authenticator };
}

/** Starts a passkey login in a fresh browser and returns the browser and the options. */
async function startPasskeyLogin(browser = new Browser(store.app)) {
  const options = await browser.request('POST', optionsUrl('login'), {});
  assert.equal(options.statusCode, 200, options.body);
  return { browser, options: options.json<{ challenge: string }>() };
}

async function accountIdOf(email: string): Promise<string> {
  const row = await store.db
    .selectFrom('customers')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function sessionOf(token: string | undefined) {
  return store.db
    .selectFrom('sessions')
    .select(['account_id', 'stage'])
    .where('token_hash', '=', hashToken(token ?? ''))
    .executeTakeFirst();
}

describe('passkeys through the Store API', () => {
  it('registers a passkey and logs in with it alone', async () => {
    const { authenticator } = await accountWithPasskey('passkey@example.com');
    const { browser, options } = await startPasskeyLogin();

    const verified = await browser.request('POST', verifyUrl('login'), {
      response: authenticator.login(options),
    });
    const status = await browser.request('GET', '/api/store/auth/mfa');

    assert.equal(verified.statusCode, 200, verified.body);
    assert.deepEqual(verified.json(), { stage: 'active', redirect: '/account' });
    assert.equal(status.statusCode, 200);
    assert.equal(status.json().passkeys, 1);
    assert.deepEqual(await sessionOf(browser.session), {
      account_id: await accountIdOf('passkey@example.com'),
      stage: 'active',
    });
    assert.equal(browser.cookies.has('__Host-webauthn'), false, 'the ceremony cookie is cleared');
  });

  it('refuses a replayed assertion', async () => {
    const { authenticator } = await accountWithPasskey('replay-key@example.com');
    const first = await startPasskeyLogin();
    const assertion = authenticator.login(first.options);
    const used = await first.browser.request('POST', verifyUrl('login'), { response: assertion });
    assert.equal(used.statusCode, 200, used.body);

    // Same assertion again: once with no ceremony open, once inside a new ceremony.
    const attacker = new Browser(store.app);
    const without = await attacker.request('POST', verifyUrl('login'), { response: assertion });
    await startPasskeyLogin(attacker);
    const within = await attacker.request('POST', verifyUrl('login'), { response: assertion });

    assert.equal(without.statusCode, 401);
    assert.equal(without.json().code, 'PASSKEY_REJECTED');
    assert.equal(within.statusCode, 401);
    assert.equal(within.json().code, 'PASSKEY_REJECTED');
    assert.equal(attacker.session, undefined);
  });

  it('names a passkey rejection as such, not as a wrong code', async () => {
    const { authenticator } = await accountWithPasskey('wording@example.com');
    const { browser, options } = await startPasskeyLogin();
    const foreign = authenticator.login(options, { origin: 'https://storefort.example.net' });

    const failed = await browser.request('POST', verifyUrl('login'), { response: foreign });
    const retried = await browser.request('POST', verifyUrl('login'), {
      response: authenticator.login(options),
    });

    assert.equal(failed.statusCode, 401);
    assert.equal(failed.json().title, 'The passkey was not accepted');
    assert.equal(failed.json().detail, 'The passkey could not be verified; start again.');
    assert.equal(retried.statusCode, 401);
    assert.equal(retried.json().code, 'PASSKEY_REJECTED');
    assert.equal(
      retried.json().detail,
      'This passkey request was already used or has expired; start again.',
    );
    assert.equal(browser.session, undefined);
  });

  it('refuses a cloned authenticator that reuses the counter', async () => {
    const { authenticator } = await accountWithPasskey('clone@example.com');
    const clone = authenticator.clone();
    const first = await startPasskeyLogin();
    await first.browser.request('POST', verifyUrl('login'), {
      response: authenticator.login(first.options),
    });

    const second = await startPasskeyLogin();
    const cloned = await second.browser.request('POST', verifyUrl('login'), {
      response: clone.login(second.options),
    });

    assert.equal(cloned.statusCode, 401);
    assert.equal(second.browser.session, undefined);
  });

  it('refuses an assertion made for another origin', async () => {
    const { authenticator } = await accountWithPasskey('origin@example.com');
    const { browser, options } = await startPasskeyLogin();

    const phished = await browser.request('POST', verifyUrl('login'), {
      response: authenticator.login(options, { origin: 'https://storefort.example.net' }),
    });

    assert.equal(phished.statusCode, 401);
    assert.equal(phished.json().code, 'PASSKEY_REJECTED');
    assert.equal(browser.session, undefined);
  });

  it("refuses another account's passkey as second factor", async () => {
    const { authenticator: othersKey } = await accountWithPasskey('owner-a@example.com');
    const victim = await createAccount(store.app, store.db, 'victim-b@example.com');
    await victim.login('victim-b@example.com', strongPassword);
    const started = await victim.request('POST', '/api/store/auth/mfa/totp/start', {});
    const { secret } = started.json<{ secret: string }>();
    await victim.request('POST', '/api/store/auth/mfa/totp/confirm', { code: totpCode(secret) });

    // The attacker has B's password and A's passkey.
    const attacker = new Browser(store.app);
    const pending = await attacker.login('victim-b@example.com', strongPassword);
    assert.deepEqual(pending.json(), { stage: 'mfa_pending' });
    const pendingToken = attacker.session;
    const { options } = await startPasskeyLogin(attacker);
    const refused = await attacker.request('POST', verifyUrl('login'), {
      response: othersKey.login(options),
    });

    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().code, 'PASSKEY_REJECTED');
    assert.equal(attacker.session, pendingToken, 'no new session cookie');
    assert.deepEqual(await sessionOf(pendingToken), {
      account_id: await accountIdOf('victim-b@example.com'),
      stage: 'mfa_pending',
    });
    assert.equal(await statusWithSession(store.app, pendingToken ?? ''), 401);
  });
});

describe('re-authentication with a TOTP code', () => {
  it('accepts a fresh code and refuses a wrong or reused one', async () => {
    const email = 'reauth-code@example.com';
    const browser = await createAccount(store.app, store.db, email);
    await browser.login(email, strongPassword);
    const started = await browser.request('POST', '/api/store/auth/mfa/totp/start', {});
    const { secret } = started.json<{ secret: string }>();
    const enrolCode = totpCode(secret);
    await browser.request('POST', '/api/store/auth/mfa/totp/confirm', { code: enrolCode });
    await store.db
      .updateTable('sessions')
      .set({ reauthenticated_at: new Date(Date.now() - 10 * 60_000).toISOString() })
      .where('token_hash', '=', hashToken(browser.session ?? ''))
      .execute();

    const stale = await browser.request('POST', '/api/store/auth/mfa/recovery-codes', {});
    const reused = await browser.request('POST', '/api/store/auth/reauthenticate', {
      code: enrolCode,
    });
    const stillStale = await browser.request('POST', '/api/store/auth/mfa/recovery-codes', {});
    const fresh = await browser.request('POST', '/api/store/auth/reauthenticate', {
      code: totpCode(secret, 1),
    });
    const regenerated = await browser.request('POST', '/api/store/auth/mfa/recovery-codes', {});

    assert.equal(stale.statusCode, 403);
    assert.equal(stale.json().code, 'REAUTHENTICATION_REQUIRED');
    assert.equal(reused.statusCode, 401, 'a code already used at enrolment must fail');
    assert.equal(stillStale.statusCode, 403);
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(regenerated.statusCode, 200, regenerated.body);
    assert.equal(regenerated.json().recoveryCodes.length, 10);
  });
});
