import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { nowIso, randomId } from '../../src/server/ids.js';
import { startTestAdmin, type TestAdmin } from './admin-support.js';

const sixMinutesAgo = () => new Date(Date.now() - 6 * 60_000);

describe('staff passkey removal', () => {
  let admin: TestAdmin;

  before(async () => {
    admin = await startTestAdmin();
  });
  after(() => admin.close());

  /** Stores a passkey row as a finished registration would; no ceremony is needed to remove one. */
  async function addPasskey(staffId: string, name: string): Promise<string> {
    const id = randomId();
    await admin.db.kysely
      .insertInto('webauthn_credentials')
      .values({
        id,
        realm: 'staff',
        account_id: staffId,
        public_key: 'not-a-real-key',
        counter: 0,
        transports: '[]',
        name,
        created_at: nowIso(),
        last_used_at: null,
      })
      .execute();
    return id;
  }

  async function passkeyIds(staffId: string): Promise<string[]> {
    const rows = await admin.db.kysely
      .selectFrom('webauthn_credentials')
      .select('id')
      .where('account_id', '=', staffId)
      .execute();
    return rows.map((row) => row.id);
  }

  it('removes a passkey after re-auth and audits it', async () => {
    const staffId = await admin.addStaff('support');
    const laptop = await addPasskey(staffId, 'Laptop');
    const phone = await addPasskey(staffId, 'Phone');
    const session = await admin.signIn(staffId);

    const page = await admin.request({ url: '/me/security', session });
    const confirm = await admin.request({ url: `/me/passkeys/remove?id=${laptop}`, session });
    const response = await admin.request({
      method: 'POST',
      url: '/me/passkeys/remove',
      session,
      form: { id: laptop },
    });

    assert.ok(page.body.includes(`/me/passkeys/remove?id=${laptop}`), 'the page links removal');
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Remove the passkey Laptop/);
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/me/security');
    assert.deepEqual(await passkeyIds(staffId), [phone]);
    const audit = await admin.db.kysely
      .selectFrom('audit_log')
      .select(['actor_id', 'object_id', 'details'])
      .where('action', '=', 'passkey.removed')
      .executeTakeFirstOrThrow();
    assert.equal(audit.actor_id, staffId);
    assert.equal(audit.object_id, laptop);
    assert.deepEqual(JSON.parse(audit.details), { name: 'Laptop' });
  });

  it('sends a stale session to re-auth and removes nothing', async () => {
    const staffId = await admin.addStaff('fulfilment');
    const laptop = await addPasskey(staffId, 'Laptop');
    await addPasskey(staffId, 'Phone');
    const session = await admin.signIn(staffId, { reauthenticatedAt: sixMinutesAgo() });

    const post = await admin.request({
      method: 'POST',
      url: '/me/passkeys/remove',
      session,
      form: { id: laptop },
    });
    const get = await admin.request({ url: `/me/passkeys/remove?id=${laptop}`, session });

    assert.equal(post.statusCode, 303);
    assert.equal(
      post.headers.location,
      `/reauth?next=${encodeURIComponent('/me/passkeys/remove')}`,
    );
    assert.equal(get.statusCode, 303);
    assert.equal(
      get.headers.location,
      `/reauth?next=${encodeURIComponent(`/me/passkeys/remove?id=${laptop}`)}`,
      'the confirmation page comes back after re-auth',
    );
    assert.equal((await passkeyIds(staffId)).length, 2);
  });

  it('keeps the only second factor', async () => {
    const staffId = await admin.addStaff('manager');
    const only = await addPasskey(staffId, 'Only key');
    const session = await admin.signIn(staffId);

    const response = await admin.request({
      method: 'POST',
      url: '/me/passkeys/remove',
      session,
      form: { id: only },
    });

    assert.equal(response.statusCode, 409);
    assert.match(response.body, /only second factor/);
    assert.deepEqual(await passkeyIds(staffId), [only]);
  });

  it("answers 404 for another member's passkey", async () => {
    const victimId = await admin.addStaff('owner');
    const victimKey = await addPasskey(victimId, 'Victim key');
    await addPasskey(victimId, 'Victim spare');
    const attackerId = await admin.addStaff('support');
    await addPasskey(attackerId, 'Own key');
    await addPasskey(attackerId, 'Own spare');
    const session = await admin.signIn(attackerId);

    const post = await admin.request({
      method: 'POST',
      url: '/me/passkeys/remove',
      session,
      form: { id: victimKey },
    });
    const get = await admin.request({ url: `/me/passkeys/remove?id=${victimKey}`, session });

    assert.equal(post.statusCode, 404);
    assert.equal(get.statusCode, 404);
    assert.equal((await passkeyIds(victimId)).length, 2);
    assert.equal((await passkeyIds(attackerId)).length, 2);
  });
});
