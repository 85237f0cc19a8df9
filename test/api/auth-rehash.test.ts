import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import argon2 from 'argon2';

import { type StoreTest, startStoreTest } from '../support/store-api.js';
import { Browser, createAccount, strongPassword } from './auth-support.js';

const email = 'upgrade@example.com';
let store: StoreTest;

before(async () => {
  store = await startStoreTest({ ARGON2_MEMORY_KIB: '24576', ARGON2_ITERATIONS: '3' });
});

after(() => store.close());

async function storedHash(): Promise<string> {
  const row = await store.db
    .selectFrom('customers')
    .select('password_hash')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

describe('password hash upgrade', () => {
  it('rehashes a cheaper hash at the next login', async () => {
    await createAccount(store.app, store.db, email);
    assert.match(await storedHash(), /^\$argon2id\$v=19\$m=24576,p=1,t=3\$/);

    // A hash from before the cost was raised: the OWASP minimum.
    const older = await argon2.hash(strongPassword, {
      type: argon2.argon2id,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
    await store.db
      .updateTable('customers')
      .set({ password_hash: older })
      .where('email', '=', email)
      .execute();

    await new Browser(store.app).login(email, strongPassword);

    const upgraded = await storedHash();
    assert.match(upgraded, /^\$argon2id\$v=19\$m=24576,p=1,t=3\$/);
    assert.notEqual(upgraded, older);
    assert.equal(await argon2.verify(upgraded, strongPassword), true);
  });

  it('keeps the hash when a login fails', async () => {
    const before = await storedHash();

    const response = await new Browser(store.app).request('POST', '/api/store/auth/login', {
      email,
      password: 'not the password at all',
    });

    assert.equal(response.statusCode, 401);
    assert.equal(await storedHash(), before);
  });
});
