import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Format: `v1.<iv>.<ciphertext>.<tag>`, each part base64url. The version leaves room to change
// the cipher later without guessing how an old value was made.
const version = 'v1';

/**
 * Encrypts a secret for storage with AES-256-GCM under `key` (32 bytes). `context` is bound as
 * associated data, so a sealed value copied to another account's row fails to open.
 */
export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();

  return [version, iv, ciphertext, tag]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/**
 * Decrypts a value made by sealSecret with the same key and context. Throws when the value was
 * altered, sealed under another key or context, or is not a sealed value at all. The error
 * message contains none of the inputs.
 */
export function openSealedSecret(key: Buffer, sealed: string, context: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== version) throw new Error('sealed secret is malformed');

  const [iv, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
  if (iv!.length !== 12 || tag!.length !== 16) throw new Error('sealed secret is malformed');

  const decipher = createDecipheriv('aes-256-gcm', key, iv!);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag!);
  try {
    return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('sealed secret failed authentication; wrong key or altered value');
  }
}
