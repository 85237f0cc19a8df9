import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Public ids of sessions, for the session list and "end this session". The id must not be the
 * token hash, which is the sessions table's key: anyone who reads a hash from the list (a shared
 * screen, a log of API responses) could otherwise match it against a leaked database copy. It
 * must also lead back to the session, so that a request to end someone else's session can be
 * told apart from a made-up id and recorded as a security event, without scanning every session.
 *
 * The id is a deterministic authenticated encryption of the hash (the SIV construction):
 * iv = HMAC-SHA256(macKey, hash) cut to 16 bytes, id = base64url(iv || AES-256-CTR(encKey, iv,
 * hash)). Decryption recomputes the iv from the recovered hash and compares in constant time, so
 * an altered id decrypts to nothing. Both keys come from `key`, which callers derive with
 * deriveKey(secrets, 'session-id').
 */

const hashBytes = 32;
const ivBytes = 16;
// 48 bytes in base64url without padding.
const publicIdPattern = /^[A-Za-z0-9_-]{64}$/;
const tokenHashPattern = /^[0-9a-f]{64}$/;

/** Returns the public id of the session whose token hash (hex SHA-256) is `tokenHash`. */
export function publicSessionId(key: Buffer, tokenHash: string): string {
  if (!tokenHashPattern.test(tokenHash)) throw new TypeError('tokenHash must be hex SHA-256');

  const plain = Buffer.from(tokenHash, 'hex');
  const iv = syntheticIv(key, plain);
  const cipher = createCipheriv('aes-256-ctr', subKey(key, 'encrypt'), iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final()]).toString('base64url');
}

/** Returns the token hash a public id was made from, or null when the id is not one of ours. */
export function tokenHashOfPublicId(key: Buffer, publicId: string): string | null {
  if (!publicIdPattern.test(publicId)) return null;

  const bytes = Buffer.from(publicId, 'base64url');
  if (bytes.length !== ivBytes + hashBytes) return null;
  const iv = bytes.subarray(0, ivBytes);
  const decipher = createDecipheriv('aes-256-ctr', subKey(key, 'encrypt'), iv);
  const plain = Buffer.concat([decipher.update(bytes.subarray(ivBytes)), decipher.final()]);

  return timingSafeEqual(iv, syntheticIv(key, plain)) ? plain.toString('hex') : null;
}

function syntheticIv(key: Buffer, plain: Buffer): Buffer {
  return createHmac('sha256', subKey(key, 'authenticate')).update(plain).digest().subarray(0, 16);
}

// Separate keys for the two primitives, derived from the one purpose key.
function subKey(key: Buffer, use: 'encrypt' | 'authenticate'): Buffer {
  return createHmac('sha256', key).update(`storefort:session-id:${use}`).digest();
}
