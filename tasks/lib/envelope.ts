/**
 * Envelopes for confidential terms (what the chain need not enforce: trade-background documents, invoice numbers,
 * legal names, negotiated notes, a price kept out of the clear). A payload is encrypted once with a fresh 256-bit
 * data key (AES-256-GCM, Node's crypto), and the data key is wrapped for each reader — the parties and the
 * regulator's current view key — with ECIES on secp256k1 (eciesjs). No cryptography is written here.
 *
 * The commitment stored on chain is keccak256(salt ‖ payload), the salt random and inside the ciphertext: it
 * hides the terms from whoever cannot decrypt, and it binds every reader to the same payload. AES-GCM does not
 * commit to its key, so a dishonest sealer could wrap two different keys that open one ciphertext to two different
 * payloads; a reader who checks the commitment after opening catches that (`openAndVerify`).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { PrivateKey, decrypt, encrypt } from "eciesjs";
import { ethers } from "ethers";

/** The envelope format's version. */
export const ENVELOPE_VERSION = 1;

/** A reader of an envelope: a wallet (or "regulator"), its secp256k1 public key and that key's version. */
export interface Recipient {
  id: string;
  publicKey: string;
  keyVersion: number;
}

/** What travels in an event or in calldata. Everything is hex. */
export interface Envelope {
  version: number;
  iv: string;
  ciphertext: string;
  recipients: { id: string; keyVersion: number; wrappedKey: string }[];
}

export interface Sealed {
  envelope: Envelope;
  /** keccak256(salt ‖ payload), to be stored on chain. */
  commitment: string;
}

export interface Opened<T> {
  terms: T;
  salt: string;
  /** keccak256(salt ‖ payload) recomputed from what was decrypted. */
  commitment: string;
}

/** An envelope that `id` cannot open: not a reader, a wrong key, or a tampered ciphertext. */
export class EnvelopeError extends Error {}

/** A new secp256k1 key pair for envelopes (hex, the public key compressed). */
export function newEncryptionKey(): { privateKey: string; publicKey: string } {
  const key = new PrivateKey();
  return { privateKey: ethers.hexlify(key.secret), publicKey: ethers.hexlify(key.publicKey.toBytes(true)) };
}

/** The compressed public key of a secp256k1 private key. */
export function publicKeyOf(privateKey: string): string {
  return ethers.hexlify(PrivateKey.fromHex(privateKey).publicKey.toBytes(true));
}

function commitmentOf(salt: Uint8Array, payload: Uint8Array): string {
  return ethers.keccak256(ethers.concat([salt, payload]));
}

/** Seals `terms` (any JSON value) for `recipients`; returns the envelope and the commitment to store on chain. */
export function sealEnvelope(terms: unknown, recipients: Recipient[]): Sealed {
  if (recipients.length === 0) throw new EnvelopeError("an envelope needs at least one reader");
  const ids = new Set(recipients.map((r) => r.id.toLowerCase()));
  if (ids.size !== recipients.length) throw new EnvelopeError("each reader may appear once");
  const salt = randomBytes(32);
  const payload = ethers.toUtf8Bytes(JSON.stringify(terms));
  const dataKey = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
  const body = Buffer.concat([cipher.update(Buffer.concat([salt, payload])), cipher.final(), cipher.getAuthTag()]);
  return {
    envelope: {
      version: ENVELOPE_VERSION,
      iv: ethers.hexlify(iv),
      ciphertext: ethers.hexlify(body),
      recipients: recipients.map((r) => ({
        id: r.id,
        keyVersion: r.keyVersion,
        wrappedKey: ethers.hexlify(encrypt(ethers.getBytes(r.publicKey), dataKey)),
      })),
    },
    commitment: commitmentOf(salt, payload),
  };
}

/** Opens `envelope` as reader `id` with its private key (of the key version the envelope names for it). */
export function openEnvelope<T = unknown>(envelope: Envelope, id: string, privateKey: string): Opened<T> {
  if (envelope.version !== ENVELOPE_VERSION) throw new EnvelopeError(`unknown envelope version ${envelope.version}`);
  const entry = envelope.recipients.find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (!entry) throw new EnvelopeError(`${id} is not a reader of this envelope`);
  let plain: Buffer;
  try {
    const dataKey = decrypt(ethers.getBytes(privateKey), ethers.getBytes(entry.wrappedKey));
    const body = Buffer.from(ethers.getBytes(envelope.ciphertext));
    const decipher = createDecipheriv("aes-256-gcm", dataKey, ethers.getBytes(envelope.iv));
    decipher.setAuthTag(body.subarray(body.length - 16));
    plain = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
  } catch {
    throw new EnvelopeError(`the envelope does not open with this key for ${id} (wrong key or tampered)`);
  }
  const salt = plain.subarray(0, 32);
  const payload = plain.subarray(32);
  return {
    terms: JSON.parse(ethers.toUtf8String(payload)) as T,
    salt: ethers.hexlify(salt),
    commitment: commitmentOf(salt, payload),
  };
}

/** Opens `envelope` and checks it against the `commitment` stored on chain; throws on any mismatch. */
export function openAndVerify<T = unknown>(envelope: Envelope, commitment: string, id: string, privateKey: string): T {
  const opened = openEnvelope<T>(envelope, id, privateKey);
  if (opened.commitment !== commitment.toLowerCase()) {
    throw new EnvelopeError(`the envelope does not match its commitment ${commitment}`);
  }
  return opened.terms;
}

/** The envelope as bytes, for calldata or an event. */
export function encodeEnvelope(envelope: Envelope): string {
  return ethers.hexlify(ethers.toUtf8Bytes(JSON.stringify(envelope)));
}

/** Reads bytes written by `encodeEnvelope`. */
export function decodeEnvelope(data: string): Envelope {
  try {
    return JSON.parse(ethers.toUtf8String(data)) as Envelope;
  } catch {
    throw new EnvelopeError("the bytes are not an envelope");
  }
}
