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
 *
 * Anyone verified may post any bytes on the board, so reading is total: `readEnvelope` and `tryOpenEnvelope` take
 * anything and never throw; what is not an envelope, or does not open, comes back as a short reason.
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
  const envelope: Envelope = {
    version: ENVELOPE_VERSION,
    iv: ethers.hexlify(iv),
    ciphertext: ethers.hexlify(body),
    recipients: recipients.map((r) => ({
      id: r.id,
      keyVersion: r.keyVersion,
      wrappedKey: ethers.hexlify(encrypt(ethers.getBytes(r.publicKey), dataKey)),
    })),
  };
  // What is sealed must read back as an envelope: a reader id or key version the format does not take is refused.
  const check = parseEnvelope(envelope);
  if (!check.ok) throw new EnvelopeError(`cannot seal: ${check.reason}`);
  return { envelope, commitment: commitmentOf(salt, payload) };
}

// ---------------------------------------------------------------- reading what anyone may have posted

/** The envelope's fields, and a reader's. Any other field makes the envelope malformed. */
const ENVELOPE_FIELDS = ["version", "iv", "ciphertext", "recipients"] as const;
const RECIPIENT_FIELDS = ["id", "keyVersion", "wrappedKey"] as const;
const IV_LENGTH = 12;
const SALT_LENGTH = 32;
const TAG_LENGTH = 16;
const DATA_KEY_LENGTH = 32;
/** A data key wrapped by eciesjs (default configuration): uncompressed ephemeral key, nonce, tag, data key. */
export const WRAPPED_KEY_LENGTH = 65 + 16 + TAG_LENGTH + DATA_KEY_LENGTH;
/** Key versions are uint32 on chain and start at 1. */
const MAX_KEY_VERSION = 2 ** 32 - 1;
const MAX_ID_LENGTH = 128;

/** Bytes or a JSON value read as an envelope: the envelope, or why it is not one (a short reason). */
export type DecodedEnvelope = { ok: true; envelope: Envelope } | { ok: false; reason: string };

const malformed = (reason: string): DecodedEnvelope => ({ ok: false, reason });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** A field name from the input, quoted and cut short for a report line. */
const quoted = (name: string) => JSON.stringify(name.length > 32 ? `${name.slice(0, 32)}…` : name);

function extraField(record: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  return Object.keys(record).find((k) => !allowed.includes(k));
}

/** Why `value` is not hex of the expected length (`exact` bytes, or at least `min`), or undefined if it is. */
function hexProblem(value: unknown, name: string, length: { exact?: number; min?: number }): string | undefined {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]*$/.test(value) || value.length % 2 !== 0) {
    return `${name} is not hex bytes`;
  }
  const bytes = (value.length - 2) / 2;
  if (length.exact !== undefined && bytes !== length.exact) return `${name} is ${bytes} bytes, not ${length.exact}`;
  if (length.min !== undefined && bytes < length.min) return `${name} is ${bytes} bytes, under ${length.min}`;
  return undefined;
}

function recipientProblem(value: unknown, i: number): string | undefined {
  const which = `recipient ${i}`;
  if (!isRecord(value)) return `${which} is ${kindOf(value)}, not an object`;
  const extra = extraField(value, RECIPIENT_FIELDS);
  if (extra !== undefined) return `${which} has an unknown field ${quoted(extra)}`;
  const { id, keyVersion, wrappedKey } = value;
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH) {
    return `${which}'s id is not a string of 1 to ${MAX_ID_LENGTH} characters`;
  }
  if (
    typeof keyVersion !== "number" ||
    !Number.isInteger(keyVersion) ||
    keyVersion < 1 ||
    keyVersion > MAX_KEY_VERSION
  ) {
    return `${which}'s keyVersion is not an integer from 1 to ${MAX_KEY_VERSION}`;
  }
  return hexProblem(wrappedKey, `${which}'s wrappedKey`, { exact: WRAPPED_KEY_LENGTH });
}

/**
 * Reads any value as an envelope, strictly: an object with exactly the fields of `Envelope`, the known version, a
 * 12-byte iv, a ciphertext long enough for the salt and the tag, and at least one reader, each with exactly its
 * fields (a non-empty id, once; a key version a uint32 ≥ 1; a wrapped key of eciesjs's length). Never throws.
 */
export function parseEnvelope(value: unknown): DecodedEnvelope {
  if (!isRecord(value)) return malformed(`it is ${kindOf(value)}, not an object`);
  // The version first: another version may have other fields.
  if (typeof value.version !== "number") return malformed("its version is missing or not a number");
  if (value.version !== ENVELOPE_VERSION) return malformed(`unknown envelope version ${value.version}`);
  const extra = extraField(value, ENVELOPE_FIELDS);
  if (extra !== undefined) return malformed(`it has an unknown field ${quoted(extra)}`);
  const problem =
    hexProblem(value.iv, "iv", { exact: IV_LENGTH }) ??
    hexProblem(value.ciphertext, "ciphertext", { min: SALT_LENGTH + TAG_LENGTH });
  if (problem !== undefined) return malformed(problem);
  const recipients = value.recipients;
  if (!Array.isArray(recipients)) return malformed(`recipients is ${kindOf(recipients)}, not a list`);
  if (recipients.length === 0) return malformed("recipients is empty");
  const seen = new Set<string>();
  for (const [i, r] of recipients.entries()) {
    const why = recipientProblem(r, i);
    if (why !== undefined) return malformed(why);
    const id = (r as { id: string }).id.toLowerCase();
    if (seen.has(id)) return malformed(`recipient ${i} repeats the id of an earlier one`);
    seen.add(id);
  }
  return {
    ok: true,
    envelope: {
      version: ENVELOPE_VERSION,
      iv: value.iv as string,
      ciphertext: value.ciphertext as string,
      recipients: (recipients as Envelope["recipients"]).map(({ id, keyVersion, wrappedKey }) => ({
        id,
        keyVersion,
        wrappedKey,
      })),
    },
  };
}

/** Reads bytes (as posted on the board: anything) as an envelope. Never throws. */
export function readEnvelope(data: unknown): DecodedEnvelope {
  if (!ethers.isBytesLike(data)) return malformed("it is not bytes");
  let text: string;
  try {
    text = ethers.toUtf8String(data);
  } catch {
    return malformed("the bytes are not UTF-8 text");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return malformed("the text is not JSON");
  }
  return parseEnvelope(value);
}

/** The envelope as bytes, for calldata or an event. */
export function encodeEnvelope(envelope: Envelope): string {
  return ethers.hexlify(ethers.toUtf8Bytes(JSON.stringify(envelope)));
}

/** Reads bytes written by `encodeEnvelope`; throws an `EnvelopeError` saying why if they are not an envelope. */
export function decodeEnvelope(data: string): Envelope {
  const decoded = readEnvelope(data);
  if (!decoded.ok) throw new EnvelopeError(`the bytes are not an envelope: ${decoded.reason}`);
  return decoded.envelope;
}

// ---------------------------------------------------------------- opening

/**
 * Why an envelope does not open for a reader: `not-a-reader`; `no-key` (the reader holds no key of the version
 * the envelope names for it); `wrong-key` (the data key does not unwrap with that key); `tampered` (the data key
 * unwraps but the ciphertext fails authentication); `malformed` (not an envelope, or it opens to a payload that is
 * not a salt and JSON text).
 */
export type OpenFailure = "not-a-reader" | "no-key" | "wrong-key" | "tampered" | "malformed";

export type OpenAttempt<T> =
  | { ok: true; keyVersion: number; opened: Opened<T> }
  | { ok: false; failure: OpenFailure; keyVersion?: number; reason: string };

/**
 * Opens `envelope` (any value: it is checked with `parseEnvelope`) as reader `id`, with `keyFor(version)` giving
 * the reader's private key of the version the envelope names for it (undefined if it holds none). Never throws:
 * every way an envelope fails to open is an `OpenFailure` with a short reason.
 */
export function tryOpenEnvelope<T = unknown>(
  envelope: unknown,
  id: string,
  keyFor: (version: number) => string | undefined,
): OpenAttempt<T> {
  const parsed = parseEnvelope(envelope);
  if (!parsed.ok) return { ok: false, failure: "malformed", reason: `not an envelope: ${parsed.reason}` };
  const { iv, ciphertext, recipients } = parsed.envelope;
  const entry = recipients.find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (!entry) return { ok: false, failure: "not-a-reader", reason: `${id} is not a reader of this envelope` };
  const keyVersion = entry.keyVersion;
  const fail = (failure: OpenFailure, reason: string): OpenAttempt<T> => ({ ok: false, failure, keyVersion, reason });
  const privateKey = keyFor(keyVersion);
  if (privateKey === undefined) return fail("no-key", `no key of version ${keyVersion} was given for ${id}`);
  let dataKey: Uint8Array;
  try {
    dataKey = decrypt(ethers.getBytes(privateKey), ethers.getBytes(entry.wrappedKey));
  } catch {
    return fail("wrong-key", `the data key for ${id} does not unwrap with its key of version ${keyVersion}`);
  }
  let plain: Buffer;
  try {
    // The wrapped key's length makes the data key 32 bytes; were it not, createDecipheriv would throw here.
    const body = Buffer.from(ethers.getBytes(ciphertext));
    const decipher = createDecipheriv("aes-256-gcm", dataKey, ethers.getBytes(iv));
    decipher.setAuthTag(body.subarray(body.length - TAG_LENGTH));
    plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_LENGTH)), decipher.final()]);
  } catch {
    return fail("tampered", "the ciphertext fails authentication (altered after sealing)");
  }
  // The ciphertext holds at least the salt (checked by parseEnvelope).
  const salt = plain.subarray(0, SALT_LENGTH);
  const payload = plain.subarray(SALT_LENGTH);
  let terms: T;
  try {
    terms = JSON.parse(ethers.toUtf8String(payload)) as T;
  } catch {
    return fail("malformed", "it opens, but its payload is not JSON text");
  }
  return {
    ok: true,
    keyVersion,
    opened: { terms, salt: ethers.hexlify(salt), commitment: commitmentOf(salt, payload) },
  };
}

/** Opens `envelope` as reader `id` with its private key; throws an `EnvelopeError` saying why if it does not open. */
export function openEnvelope<T = unknown>(envelope: Envelope, id: string, privateKey: string): Opened<T> {
  const attempt = tryOpenEnvelope<T>(envelope, id, () => privateKey);
  if (attempt.ok) return attempt.opened;
  if (attempt.failure === "wrong-key" || attempt.failure === "tampered") {
    throw new EnvelopeError(`the envelope does not open with this key for ${id}: ${attempt.reason}`);
  }
  throw new EnvelopeError(attempt.reason);
}

/** Opens `envelope` and checks it against the `commitment` stored on chain; throws on any mismatch. */
export function openAndVerify<T = unknown>(envelope: Envelope, commitment: string, id: string, privateKey: string): T {
  const opened = openEnvelope<T>(envelope, id, privateKey);
  if (opened.commitment !== commitment.toLowerCase()) {
    throw new EnvelopeError(`the envelope does not match its commitment ${commitment}`);
  }
  return opened.terms;
}
