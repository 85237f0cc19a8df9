import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { breachedPasswordCount, isBreachedPassword } from './password-list.js';

describe('breached password list', () => {
  it('holds more than 100,000 entries', () => {
    assert.ok(breachedPasswordCount() >= 100_000, `only ${breachedPasswordCount()} entries`);
  });

  it('contains common passwords in any case', () => {
    for (const password of ['password1', 'qwertyuiop', 'iloveyou', 'Password1', 'QWERTYUIOP']) {
      assert.equal(isBreachedPassword(password), true, password);
    }
  });

  it('does not contain an uncommon passphrase', () => {
    assert.equal(isBreachedPassword('tidal-orchard-91 under a violet moon'), false);
    assert.equal(isBreachedPassword(''), false);
  });
});
