import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';

import { hashToken, randomToken } from '../server/ids.js';
import { publicSessionId, tokenHashOfPublicId } from './session-ids.js';

const key = randomBytes(32);

describe('public session ids', () => {
  it('lead back to the token hash', () => {
    const hash = hashToken(randomToken());

    const id = publicSessionId(key, hash);

    assert.equal(tokenHashOfPublicId(key, id), hash);
  });

  it('do not contain the hash', () => {
    const hash = hashToken(randomToken());

    const id = publicSessionId(key, hash);

    assert.ok(!id.includes(hash));
    assert.ok(!Buffer.from(id, 'base64url').toString('hex').includes(hash.slice(0, 16)));
  });

  it('are the same for the same session', () => {
    const hash = hashToken(randomToken());

    assert.equal(publicSessionId(key, hash), publicSessionId(key, hash));
  });

  it('fit the resource id pattern of routes', () => {
    const id = publicSessionId(key, hashToken(randomToken()));

    assert.match(id, /^[A-Za-z0-9_-]{1,64}$/);
  });

  it('reject every altered character', () => {
    const id = publicSessionId(key, hashToken(randomToken()));

    for (let index = 0; index < id.length; index += 1) {
      const replacement = id[index] === 'A' ? 'B' : 'A';
      const altered = id.slice(0, index) + replacement + id.slice(index + 1);
      assert.equal(tokenHashOfPublicId(key, altered), null, `position ${index}`);
    }
  });

  it('reject an id made with another key', () => {
    const id = publicSessionId(randomBytes(32), hashToken(randomToken()));

    assert.equal(tokenHashOfPublicId(key, id), null);
  });

  it('reject malformed ids', () => {
    for (const id of ['', 'abc', 'A'.repeat(63), 'A'.repeat(65), `${'A'.repeat(63)}=`]) {
      assert.equal(tokenHashOfPublicId(key, id), null, id);
    }
  });
});
