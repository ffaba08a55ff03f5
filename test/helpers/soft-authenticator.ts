/**
 * A software WebAuthn authenticator and client for tests: what a browser plus a platform authenticator
 * would send to the server, built from the specification rather than from the library under test.
 *
 * - An ES256 (P-256) key pair from node:crypto, a random 32-byte credential id, a signature counter.
 * - clientDataJSON: `{type, challenge, origin, crossOrigin}` as the browser serialises it.
 * - authenticatorData: SHA-256(rpId) | flags (UP, UV, AT when attested) | counter (uint32 big-endian) |
 *   attested credential data (AAGUID, id length, id, COSE_Key) at registration.
 * - A `none` attestation object in CBOR, with its own small encoder (below), and assertion signatures:
 *   ECDSA over authenticatorData | SHA-256(clientDataJSON), DER-encoded as WebAuthn requires.
 * Overrides let a test lie the way an attacker or a misconfigured page would (another origin or RP id,
 * a stale counter).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// ---- a minimal CBOR encoder (RFC 8949): unsigned and negative integers, byte and text strings, arrays, maps.

export type Cbor = number | string | Uint8Array | Cbor[] | CborMap;
/** A CBOR map with keys in the given order (CTAP2 canonical order is the caller's job). */
export class CborMap {
  constructor(readonly entries: [Cbor, Cbor][]) {}
}

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(value, 1);
    return b;
  }
  if (value < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(value, 1);
    return b;
  }
  throw new Error('cbor: integers above 2^32 are not needed here');
}

export function cborEncode(value: Cbor): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('cbor: only integers');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cborEncode)]);
  return Buffer.concat([head(5, value.entries.length), ...value.entries.flatMap(([k, v]) => [cborEncode(k), cborEncode(v)])]);
}

// ---- the authenticator

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

/** What the server sends for `navigator.credentials.create()` (the fields this authenticator reads). */
export interface CreationOptions {
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: { type: string; alg: number }[];
  excludeCredentials?: { id: string }[];
}

/** What the server sends for `navigator.credentials.get()`. */
export interface RequestOptions {
  rpId?: string;
  challenge: string;
  allowCredentials?: { id: string }[];
}

/** How a test bends the ceremony: a page on another origin, an authenticator told another RP id, ... */
export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  /** Clear the user-verified flag (an authenticator that only tested presence). */
  userVerified?: boolean;
}

export interface RegistrationJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  authenticatorAttachment: 'platform';
  clientExtensionResults: Record<string, never>;
}

export interface AuthenticationJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
  authenticatorAttachment: 'platform';
  clientExtensionResults: Record<string, never>;
}

interface KeyState {
  credentialId: Buffer;
  privateKey: KeyObject;
  cose: Buffer;
  /** The user handle the RP gave at registration; returned with every assertion. */
  userHandle?: string;
}

export class SoftAuthenticator {
  /** The signature counter: 0 at registration, then raised by `counterStep` before each assertion. */
  counter = 0;
  readonly aaguid = Buffer.alloc(16); // all zero, as authenticators answering `none` attestation send

  private constructor(
    private readonly key: KeyState,
    /** The page origin the "browser" reports. */
    readonly origin: string,
    private readonly counterStep: number,
  ) {}

  /** A new authenticator with its own key pair and credential id; `counterStep: 0` mimics a synced passkey. */
  static create(options: { origin: string; counterStep?: number }): SoftAuthenticator {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = cborEncode(
      new CborMap([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x as string, 'base64url')],
        [-3, Buffer.from(jwk.y as string, 'base64url')],
      ]),
    );
    return new SoftAuthenticator({ credentialId: randomBytes(32), privateKey, cose }, options.origin, options.counterStep ?? 1);
  }

  get credentialId(): string {
    return b64url(this.key.credentialId);
  }

  /** The COSE_Key this authenticator attests (what the server stores and must never log). */
  get publicKeyCose(): Buffer {
    return this.key.cose;
  }

  /** The same key, credential id and counter in a second device: what an extracted key looks like. */
  clone(): SoftAuthenticator {
    const copy = new SoftAuthenticator(this.key, this.origin, this.counterStep);
    copy.counter = this.counter;
    return copy;
  }

  private clientData(type: string, challenge: string, o: CeremonyOverrides): Buffer {
    // Key order as browsers write it; the server must not depend on it anyway.
    return Buffer.from(
      JSON.stringify({ type: o.type ?? type, challenge: o.challenge ?? challenge, origin: o.origin ?? this.origin, crossOrigin: false }),
    );
  }

  private authData(rpId: string, flags: number, attested?: Buffer): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter, ...(attested ? [attested] : [])]);
  }

  private flags(o: CeremonyOverrides): number {
    return FLAG_UP | (o.userVerified === false ? 0 : FLAG_UV);
  }

  /** `navigator.credentials.create()`: checks what a real authenticator checks, then attests with `none`. */
  createCredential(options: CreationOptions, o: CeremonyOverrides = {}): RegistrationJSON {
    if (!options.pubKeyCredParams.some((p) => p.type === 'public-key' && p.alg === -7))
      throw new Error('NotSupportedError: ES256 not offered');
    if (options.excludeCredentials?.some((c) => c.id === this.credentialId)) throw new Error('InvalidStateError: credential excluded');
    const rpId = o.rpId ?? options.rp.id;
    if (!rpId) throw new Error('the soft authenticator needs rp.id');
    this.key.userHandle = options.user.id;

    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.key.credentialId.length);
    const attested = Buffer.concat([this.aaguid, idLength, this.key.credentialId, this.key.cose]);
    const authData = this.authData(rpId, this.flags(o) | FLAG_AT, attested);
    const attestationObject = cborEncode(
      new CborMap([
        ['fmt', 'none'],
        ['attStmt', new CborMap([])],
        ['authData', authData],
      ]),
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, o)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** `navigator.credentials.get()`: raises the counter and signs authenticatorData | SHA-256(clientDataJSON). */
  getAssertion(options: RequestOptions, o: CeremonyOverrides = {}): AuthenticationJSON {
    if (options.allowCredentials?.length && !options.allowCredentials.some((c) => c.id === this.credentialId)) {
      throw new Error('NotAllowedError: no allowed credential on this authenticator');
    }
    const rpId = o.rpId ?? options.rpId;
    if (!rpId) throw new Error('the soft authenticator needs rpId');
    this.counter += this.counterStep;
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, o);
    const authData = this.authData(rpId, this.flags(o));
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.key.privateKey); // DER by default
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.key.userHandle ? { userHandle: this.key.userHandle } : {}),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}
