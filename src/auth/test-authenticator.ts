import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A software WebAuthn authenticator for tests: one ES256 (P-256) credential, 'none' attestation,
 * built from node:crypto and a minimal CBOR encoder, so tests run real ceremonies without a
 * browser. `clone()` copies the key and counter, as an attacker who extracted it would.
 */
export class SoftwareAuthenticator {
  readonly credentialId: Buffer<ArrayBufferLike>;
  counter = 0;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private userHandle = '';

  constructor(
    readonly origin: string,
    readonly rpID: string,
    keys = generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    credentialId: Buffer<ArrayBufferLike> = randomBytes(16),
  ) {
    this.privateKey = keys.privateKey;
    this.publicKey = keys.publicKey;
    this.credentialId = credentialId;
  }

  get id(): string {
    return this.credentialId.toString('base64url');
  }

  clone(): SoftwareAuthenticator {
    const copy = new SoftwareAuthenticator(
      this.origin,
      this.rpID,
      { privateKey: this.privateKey, publicKey: this.publicKey },
      this.credentialId,
    );
    copy.counter = this.counter;
    copy.userHandle = this.userHandle;
    return copy;
  }

  /** Returns the JSON registration response that navigator.credentials.create() would give. */
  register(
    options: { challenge: string; user: { id: string } },
    { userVerified = true, origin = this.origin } = {},
  ) {
    this.userHandle = options.user.id;
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, origin);
    const jwk = this.publicKey.export({ format: 'jwk' });
    const coseKey = encodeCbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const length = Buffer.alloc(2);
    length.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      this.authenticatorData(0x40, userVerified),
      Buffer.alloc(16),
      length,
      this.credentialId,
      coseKey,
    ]);
    const attestationObject = encodeCbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );

    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** Returns the JSON sign-in response that navigator.credentials.get() would give. */
  login(
    options: { challenge: string },
    { userVerified = true, origin = this.origin, counterStep = 1 } = {},
  ) {
    this.counter += counterStep;
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, origin);
    const authenticatorData = this.authenticatorData(0, userVerified);
    const signed = Buffer.concat([
      authenticatorData,
      createHash('sha256').update(clientDataJSON).digest(),
    ]);
    const signature = sign('sha256', signed, this.privateKey);

    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** rpIdHash, flags (user present, optionally verified, plus `extraFlags`) and counter. */
  private authenticatorData(extraFlags: number, userVerified: boolean): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    const flags = 0x01 | (userVerified ? 0x04 : 0) | extraFlags;
    return Buffer.concat([
      createHash('sha256').update(this.rpID).digest(),
      Buffer.from([flags]),
      counter,
    ]);
  }
}

/** Encodes integers, byte strings, text and maps as CBOR (RFC 8949), enough for WebAuthn. */
function encodeCbor(value: unknown): Buffer {
  if (typeof value === 'number') {
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([cborHead(2, value.length), value]);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Map) {
    const entries = [...value.entries()].flatMap(([key, item]) => [
      encodeCbor(key),
      encodeCbor(item),
    ]);
    return Buffer.concat([cborHead(5, value.size), ...entries]);
  }
  throw new Error(`cannot encode ${typeof value} as CBOR`);
}

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  const head = Buffer.alloc(3);
  head[0] = (major << 5) | 25;
  head.writeUInt16BE(length, 1);
  return head;
}
