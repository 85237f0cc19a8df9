import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { enqueueMail } from '../../src/mail/outbox.js';
import { startTestAdmin, type TestAdmin } from './admin-support.js';

describe('admin outbox page', () => {
  let admin: TestAdmin;
  let session: string;
  let supportSession: string;

  before(async () => {
    admin = await startTestAdmin();
    session = await admin.signIn(await admin.addStaff('owner'));
    supportSession = await admin.signIn(await admin.addStaff('support'));
    await enqueueMail(admin.db.kysely, {
      to: 'casey@example.test',
      subject: 'Confirm your email <b>now</b>',
      text: 'Open https://shop.example/account/confirm?token=abc123 to confirm.',
      kind: 'confirm_email',
    });
  });
  after(() => admin.close());

  it('lists queued mail with its body when no SMTP server is set', async () => {
    const response = await admin.request({ url: '/outbox', session });

    assert.equal(response.statusCode, 200);
    assert.match(
      response.body,
      /Confirm your email &lt;b>now&lt;\/b>|Confirm your email &lt;b&gt;now&lt;\/b&gt;/,
    );
    assert.match(response.body, /casey@example\.test/);
    assert.match(response.body, /confirm\?token=abc123/);
    assert.match(response.body, /pending/);
    const audited = await admin.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_email'])
      .where('action', '=', 'outbox.bodies_viewed')
      .execute();
    assert.equal(audited.length, 1);
  });

  it('hides bodies from roles other than owner', async () => {
    const response = await admin.request({ url: '/outbox', session: supportSession });

    assert.equal(response.statusCode, 200);
    assert.match(response.body, /casey@example\.test/);
    assert.ok(!response.body.includes('abc123'), 'a support member saw a confirmation link');
  });

  it('hides bodies when mail goes through SMTP', async () => {
    const smtp = await startTestAdmin({ SMTP_URL: 'smtp://127.0.0.1:2525' });
    try {
      await enqueueMail(smtp.db.kysely, {
        to: 'casey@example.test',
        subject: 'Reset your password',
        text: 'Open https://shop.example/account/reset?token=secret456',
        kind: 'reset_password',
      });
      const owner = await smtp.signIn(await smtp.addStaff('owner'));

      const response = await smtp.request({ url: '/outbox', session: owner });

      assert.equal(response.statusCode, 200);
      assert.match(response.body, /Reset your password/);
      assert.ok(!response.body.includes('secret456'));
    } finally {
      await smtp.close();
    }
  });
});
