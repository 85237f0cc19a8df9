import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AppError } from '../server/errors.js';
import { loadConfig } from '../server/config.js';
import {
  checkPasswordPolicy,
  createPasswordHasher,
  isBelowCost,
  readArgon2Cost,
} from './passwords.js';

// A cheap cost keeps most tests fast; the tests about cost and timing use the real defaults.
const cheap = { memoryKiB: 1024, iterations: 2, parallelism: 1 };

function isServerBusy(error: unknown): boolean {
  return error instanceof AppError && error.code === 'SERVER_BUSY' && error.status === 503;
}

describe('createPasswordHasher', () => {
  it('hashes with argon2id at the configured default cost', async () => {
    const cost = loadConfig({ NODE_ENV: 'test' }).passwordHashing;
    const hasher = createPasswordHasher(cost, 2);

    const hash = await hasher.hash('a long enough passphrase');

    assert.match(hash, /^\$argon2id\$v=19\$/);
    assert.deepEqual(readArgon2Cost(hash), {
      type: 'argon2id',
      version: 19,
      memoryKiB: 19_456,
      iterations: 2,
      parallelism: 1,
    });
    assert.ok(!hash.includes('a long enough passphrase'));
  });

  it('salts every hash', async () => {
    const hasher = createPasswordHasher(cheap, 2);

    const first = await hasher.hash('same password');
    const second = await hasher.hash('same password');

    assert.notEqual(first, second);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const hasher = createPasswordHasher(cheap, 2);
    const hash = await hasher.hash('tidal-orchard-91');

    assert.deepEqual(await hasher.verify(hash, 'tidal-orchard-91'), {
      ok: true,
      needsRehash: false,
    });
    assert.deepEqual(await hasher.verify(hash, 'tidal-orchard-92'), {
      ok: false,
      needsRehash: false,
    });
    assert.equal((await hasher.verify(hash, 'TIDAL-ORCHARD-91')).ok, false);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const hasher = createPasswordHasher(cheap, 2);
    const composed = 'caf\u00e9-au-lait';
    const decomposed = 'cafe\u0301-au-lait';

    const hash = await hasher.hash(composed);

    assert.equal((await hasher.verify(hash, decomposed)).ok, true);
  });

  it('asks for a rehash when the configured cost was raised', async () => {
    const old = createPasswordHasher(cheap, 2);
    const raisedMemory = createPasswordHasher({ ...cheap, memoryKiB: 2048 }, 2);
    const raisedPasses = createPasswordHasher({ ...cheap, iterations: 3 }, 2);
    const hash = await old.hash('tidal-orchard-91');

    assert.deepEqual(await raisedMemory.verify(hash, 'tidal-orchard-91'), {
      ok: true,
      needsRehash: true,
    });
    assert.equal((await raisedPasses.verify(hash, 'tidal-orchard-91')).needsRehash, true);
    assert.equal((await old.verify(hash, 'tidal-orchard-91')).needsRehash, false);
    // A wrong password never triggers a rehash, which would store the wrong password.
    assert.equal((await raisedMemory.verify(hash, 'wrong password')).needsRehash, false);
  });

  it('keeps a hash made with a higher cost than configured', async () => {
    const strong = createPasswordHasher({ ...cheap, memoryKiB: 2048, iterations: 3 }, 2);
    const hash = await strong.hash('tidal-orchard-91');

    const result = await createPasswordHasher(cheap, 2).verify(hash, 'tidal-orchard-91');

    assert.deepEqual(result, { ok: true, needsRehash: false });
  });

  it('throws SERVER_BUSY when the queue is full', async () => {
    const stored = await createPasswordHasher(cheap, 1).hash('stored password');
    const hasher = createPasswordHasher(cheap, 1, 2);
    const accepted = [
      hasher.hash('first password'),
      hasher.hash('second password'),
      hasher.hash('third password'),
    ];

    await assert.rejects(hasher.hash('fourth password'), isServerBusy);
    await assert.rejects(hasher.verify(stored, 'stored password'), isServerBusy);

    const hashes = await Promise.all(accepted);
    assert.equal(hashes.length, 3);
    assert.equal((await hasher.verify(hashes[2]!, 'third password')).ok, true);
  });

  it('runs queued work in arrival order', async () => {
    const hasher = createPasswordHasher(cheap, 1);
    const finished: number[] = [];

    await Promise.all(
      [0, 1, 2, 3, 4].map((index) =>
        hasher.hash(`password ${index}`).then(() => finished.push(index)),
      ),
    );

    assert.deepEqual(finished, [0, 1, 2, 3, 4]);
  });

  it('counts dummy verifications against the queue', async () => {
    const hasher = createPasswordHasher(cheap, 1, 0);
    const running = hasher.hash('first password');

    await assert.rejects(hasher.verifyDummy('guess'), isServerBusy);

    await running;
    await hasher.verifyDummy('guess');
  });

  it('spends on a dummy verification what a real one costs', async () => {
    const cost = loadConfig({ NODE_ENV: 'test' }).passwordHashing;
    const hasher = createPasswordHasher(cost, 1);
    const hash = await hasher.hash('tidal-orchard-91');
    await hasher.verifyDummy('warm up');
    const real: number[] = [];
    const dummy: number[] = [];

    for (let round = 0; round < 5; round += 1) {
      real.push(await timed(() => hasher.verify(hash, 'wrong password')));
      dummy.push(await timed(() => hasher.verifyDummy('wrong password')));
    }

    // Medians within a factor of two: a dummy that skipped argon2 would take well under 1 ms.
    const ratio = median(dummy) / median(real);
    assert.ok(ratio > 0.5 && ratio < 2, `dummy/real median ratio ${ratio.toFixed(2)}`);
  });

  it('keeps the event loop running while four hashes run', async () => {
    // A higher cost than the default (~150 ms per hash on a 2-core machine) widens the window.
    const hasher = createPasswordHasher({ memoryKiB: 65_536, iterations: 3, parallelism: 1 }, 2);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);

    const started = performance.now();
    await Promise.all([1, 2, 3, 4].map((index) => hasher.hash(`password ${index}`)));
    const elapsed = performance.now() - started;
    clearInterval(timer);

    // Hashing on the event loop would let the timer fire at most once, after all four hashes.
    assert.ok(elapsed > 50, `hashing took only ${elapsed.toFixed(0)} ms`);
    assert.ok(ticks >= 5, `the timer fired ${ticks} times in ${elapsed.toFixed(0)} ms`);
  });
});

describe('isBelowCost', () => {
  const cost = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

  it('asks for a rehash of hashes of other algorithms or malformed ones', () => {
    assert.equal(isBelowCost('$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', cost), true);
    assert.equal(isBelowCost('$argon2id$v=16$m=19456,t=2,p=1$c2FsdA$aGFzaA', cost), true);
    assert.equal(isBelowCost('$2b$10$abcdefghijklmnopqrstuv', cost), true);
    assert.equal(isBelowCost('$argon2id$v=19$m=19456,t=2$c2FsdA$aGFzaA', cost), true);
  });

  it('compares memory, passes and lanes separately', () => {
    assert.equal(isBelowCost('$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', cost), false);
    assert.equal(isBelowCost('$argon2id$v=19$m=19456,p=1,t=2$c2FsdA$aGFzaA', cost), false);
    assert.equal(isBelowCost('$argon2id$v=19$m=19456,p=1,t=1$c2FsdA$aGFzaA', cost), true);
    assert.equal(isBelowCost('$argon2id$v=19$m=19455,t=9,p=9$c2FsdA$aGFzaA', cost), true);
    assert.equal(isBelowCost('$argon2id$v=19$m=65536,t=1,p=9$c2FsdA$aGFzaA', cost), true);
    assert.equal(isBelowCost('$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA', cost), false);
  });
});

describe('checkPasswordPolicy', () => {
  function rejection(password: string, context?: string[]): string | null {
    try {
      checkPasswordPolicy(password, context);
      return null;
    } catch (error) {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'WEAK_PASSWORD');
      assert.equal(error.status, 422);
      return error.detail;
    }
  }

  it('accepts an uncommon password of any characters', () => {
    assert.equal(rejection('tidal-orchard-91'), null);
    assert.equal(rejection('лиса прыгает через'), null);
    assert.equal(rejection('        '), null, 'eight spaces are allowed; no composition rules');
  });

  it('counts length in code points', () => {
    assert.match(rejection('sQ4#kp9') ?? '', /at least 8 characters/);
    assert.equal(rejection('sQ4#kp9x'), null);
    // Four emoji are eight UTF-16 units but four characters.
    assert.match(rejection('\u{1F98A}\u{1F333}\u{1F30A}\u{1F525}') ?? '', /at least 8/);
    assert.equal(rejection('\u{1F98A}\u{1F333}\u{1F30A}\u{1F525}'.repeat(2)), null);
  });

  it('rejects more than 128 characters', () => {
    assert.equal(rejection('q'.repeat(127) + 'Z'), null);
    assert.match(rejection('q'.repeat(128) + 'Z') ?? '', /at most 128 characters/);
  });

  it('rejects breached passwords in any case', () => {
    for (const password of ['password1', 'qwertyuiop', 'iloveyou', 'PassWord1', 'ILOVEYOU']) {
      assert.match(rejection(password) ?? '', /breached/, password);
    }
  });

  it('rejects the email, its local part and the name', () => {
    const context = ['Rosalind.Franklin@example.com', 'Rosalind Franklin'];

    assert.match(
      rejection('rosalind.franklin@example.com', context) ?? '',
      /email address or name/,
    );
    assert.match(rejection('ROSALIND.FRANKLIN', context) ?? '', /email address or name/);
    assert.match(rejection('rosalind franklin', context) ?? '', /email address or name/);
    assert.equal(rejection('rosalind franklin 1953', context), null);
  });

  it('never echoes the password in its message', () => {
    for (const password of ['short', 'iloveyou', 'hedy@example.com']) {
      const detail = rejection(password, ['hedy@example.com']) ?? '';
      assert.ok(!detail.includes(password), detail);
    }
  });
});

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
