/**
 * Confidential terms on the platform: who an envelope is sealed for (each party's published entity key and the
 * regulator's current view key, read from `EncryptionKeys`), posting it on the `EnvelopeBoard` under its commitment
 * (which the act itself binds on chain: a trade's `Terms.confidential`, a bill's `tradeHash`), finding and opening
 * what was posted, and the private keys that open envelopes (an encrypted keystore file or an environment variable;
 * never on chain, never printed). The cryptography is in `envelope.ts` (and eciesjs).
 */
import fs from "node:fs";
import { ethers } from "ethers";
import type { EncryptionKeys, EnvelopeBoard } from "../../typechain-types";
import type { Platform } from "./deployment";
import {
  encodeEnvelope,
  newEncryptionKey,
  publicKeyOf,
  readEnvelope,
  sealEnvelope,
  tryOpenEnvelope,
  type Envelope,
  type OpenFailure,
  type Recipient,
} from "./envelope";
import { decodeError, unlessRefused } from "./errors";
import { issueBill, issueParams, type IssueInput } from "./bills";
import { mined } from "./tx";

/** The reader id of the regulator's view key in every envelope. */
export const REGULATOR_READER = "regulator";
/** The password of key files. */
export const PASSWORD_ENV = "BILL_DVP_KEY_PASSWORD";
/** The regulator's view key(s) as raw hex, comma-separated, when no key file is given. */
export const VIEW_KEY_ENV = "BILL_DVP_VIEW_KEY";

type BlockTag = number | "latest";

const errorName = (error: unknown, iface: ethers.Interface) => decodeError(error, [iface])?.name;

// ---------------------------------------------------------------- readers and sealing

/**
 * The readers of an envelope among `wallets` (each wallet with its entity's published key, its id the wallet
 * address) and the regulator's current view key (id "regulator"). A wallet given twice is a reader once.
 */
export async function readersOf(platform: Platform, wallets: string[]): Promise<Recipient[]> {
  const keys = platform.encryptionKeys;
  const readers: Recipient[] = [];
  for (const wallet of [...new Set(wallets.map((w) => ethers.getAddress(w)))]) {
    let key: Awaited<ReturnType<EncryptionKeys["keyOf"]>>;
    try {
      key = await keys.keyOf(wallet);
    } catch (error) {
      if (!["KeysNoWalletKey", "KeysNoEntityKey"].includes(errorName(error, keys.interface) ?? "")) throw error;
      throw new Error(
        `${wallet} has no envelope key: its entity publishes one first (npx hardhat keys publish --key-file <file> ` +
          `--from ${wallet})`,
        { cause: error },
      );
    }
    readers.push({ id: wallet, publicKey: ethers.hexlify(key.publicKey), keyVersion: Number(key.version) });
  }
  let view: Awaited<ReturnType<EncryptionKeys["viewKey"]>>;
  try {
    view = await keys.viewKey();
  } catch (error) {
    if (errorName(error, keys.interface) !== "KeysUnknownViewKey") throw error;
    throw new Error(
      "the regulator has published no view key yet (npx hardhat regulator rotate-key --key-file <file> " +
        "--from <regulator>)",
      { cause: error },
    );
  }
  readers.push({ id: REGULATOR_READER, publicKey: ethers.hexlify(view.publicKey), keyVersion: Number(view.version) });
  return readers;
}

export interface SealedForBoard {
  /** keccak256(salt ‖ payload): what the act binds on chain. */
  commitment: string;
  envelope: Envelope;
  /** The envelope as the bytes posted on the board. */
  data: string;
}

/** Seals `payload` (any JSON value) for `parties` and the regulator; checks it fits the board. Sends nothing. */
export async function sealFor(platform: Platform, payload: unknown, parties: string[]): Promise<SealedForBoard> {
  const { envelope, commitment } = sealEnvelope(payload, await readersOf(platform, parties));
  const data = encodeEnvelope(envelope);
  const max = await platform.envelopeBoard.MAX_ENVELOPE_LENGTH();
  const length = BigInt(ethers.dataLength(data));
  if (length > max) {
    throw new Error(`the sealed envelope is ${length} bytes; the board takes at most ${max}: shorten the terms`);
  }
  return { commitment, envelope, data };
}

/** Posts a sealed envelope on the board under its commitment, as the acting wallet; returns the transaction hash. */
export async function postSealed(platform: Platform, sealed: SealedForBoard): Promise<string | undefined> {
  const receipt = await mined(platform.envelopeBoard.post(sealed.commitment, sealed.data));
  return receipt?.hash;
}

/**
 * Seals `payload` for `parties` and the regulator's view key, and posts the envelope on the board under its
 * commitment. The commitment goes into the act: `Terms.confidential` of a trade, `IssueParams.tradeHash` of a bill.
 */
export async function sealAndPost(
  platform: Platform,
  payload: unknown,
  parties: string[],
): Promise<{ commitment: string; envelope: Envelope; tx?: string }> {
  const sealed = await sealFor(platform, payload, parties);
  const tx = await postSealed(platform, sealed);
  return { commitment: sealed.commitment, envelope: sealed.envelope, tx };
}

/**
 * The drawer (the acting wallet) issues a bill whose trade background is sealed: `payload` sealed for the drawer,
 * the acceptor, the payee and the regulator, the issue checked, the envelope posted, then the bill issued with the
 * envelope's commitment as its `tradeHash`.
 */
export async function issueSealedBill(
  platform: Platform,
  input: Omit<IssueInput, "tradeBackground" | "tradeHash">,
  payload: unknown,
) {
  const sealed = await sealFor(platform, payload, [platform.signer.address, input.acceptor, input.payee]);
  const withHash = { ...input, tradeBackground: undefined, tradeHash: sealed.commitment };
  // Checked before the envelope goes on the board, so that a refused issue leaves no envelope behind.
  await platform.billLedger.issue.staticCall(issueParams(withHash));
  const envelopeTx = await postSealed(platform, sealed);
  const { billId, receipt } = await issueBill(platform.billLedger, withHash);
  return { billId, tx: receipt?.hash, tradeHash: sealed.commitment, envelopeTx };
}

/** The JSON value in a confidential-terms file. */
export function readConfidentialFile(file: string): unknown {
  if (!fs.existsSync(file)) throw new Error(`no confidential-terms file ${file}`);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
  } catch (error) {
    throw new Error(`the confidential-terms file ${file} is not JSON: ${(error as Error).message.split("\n")[0]}`, {
      cause: error,
    });
  }
}

// ---------------------------------------------------------------- finding and opening

/** An envelope as posted on the board. */
export interface PostedEnvelope {
  commitment: string;
  poster: string;
  block: number;
  tx: string;
  logIndex: number;
  /** Length of the posted bytes. */
  bytes: number;
  /** The envelope, if the bytes are one. */
  envelope?: Envelope;
  /** Why the bytes are not an envelope, if they are not. */
  malformed?: string;
}

/**
 * A posting on the board read as an envelope: `envelope` if the bytes are one, else `malformed` saying why. Never
 * throws, whatever the bytes (the board takes any up to its maximum length from any verified trader).
 */
export function postedFromBytes(
  data: string,
  where: Omit<PostedEnvelope, "bytes" | "envelope" | "malformed">,
): PostedEnvelope {
  const decoded = readEnvelope(data);
  return {
    ...where,
    bytes: ethers.isBytesLike(data) ? ethers.dataLength(data) : 0,
    ...(decoded.ok ? { envelope: decoded.envelope } : { malformed: decoded.reason }),
  };
}

/** Every envelope posted under any of `commitments` in the block range, by commitment (lower-case), in order. */
export async function envelopesUnder(
  board: EnvelopeBoard,
  commitments: string[],
  fromBlock: number = 0,
  toBlock: BlockTag = "latest",
): Promise<Map<string, PostedEnvelope[]>> {
  const wanted = [...new Set(commitments.map((c) => c.toLowerCase()))].filter((c) => c !== ethers.ZeroHash);
  const found = new Map<string, PostedEnvelope[]>(wanted.map((c) => [c, []]));
  const address = await board.getAddress();
  const topic = board.interface.getEvent("EnvelopePosted").topicHash;
  const provider = board.runner!.provider!;
  for (let i = 0; i < wanted.length; i += 100) {
    const logs = await provider.getLogs({ address, topics: [topic, wanted.slice(i, i + 100)], fromBlock, toBlock });
    for (const log of logs) {
      const parsed = board.interface.parseLog(log)!;
      const commitment = (parsed.args.commitment as string).toLowerCase();
      found.get(commitment)!.push(
        postedFromBytes(parsed.args.envelope as string, {
          commitment,
          poster: parsed.args.poster as string,
          block: log.blockNumber,
          tx: log.transactionHash,
          logIndex: log.index,
        }),
      );
    }
  }
  for (const list of found.values()) list.sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
  return found;
}

/** Every envelope posted under `commitment` (in the block range), oldest first. */
export async function postedEnvelopes(
  board: EnvelopeBoard,
  commitment: string,
  fromBlock: number = 0,
  toBlock: BlockTag = "latest",
): Promise<PostedEnvelope[]> {
  return (await envelopesUnder(board, [commitment], fromBlock, toBlock)).get(commitment.toLowerCase()) ?? [];
}

/**
 * What an envelope is to one reader: `verified` (opens and matches its commitment); `mismatch` (opens to other
 * terms); `tampered` (the reader's data key unwraps but the ciphertext fails authentication); `wrong-key` (the
 * data key does not unwrap with the reader's key of the version the envelope names); `no-key` (the reader holds
 * no key of that version); `not-a-reader`; `malformed` (not an envelope — not UTF-8 JSON, a field missing, of the
 * wrong type or length, an unknown format version — or it opens to a payload that is not JSON).
 */
export type EnvelopeStatus = "verified" | "mismatch" | OpenFailure;

export interface EnvelopeCheck {
  status: EnvelopeStatus;
  /** The key version the envelope names for the reader. */
  keyVersion?: number;
  detail: string;
  /** The decrypted terms, when verified. */
  terms?: unknown;
}

/**
 * Checks one posted envelope against `commitment` as reader `readerId`, with `keyFor(version)` giving the reader's
 * private key of a key version (undefined if it holds none). Never throws: whatever was posted is a status.
 */
export function checkEnvelope(
  posted: PostedEnvelope,
  commitment: string,
  readerId: string,
  keyFor: (version: number) => string | undefined,
): EnvelopeCheck {
  if (posted.envelope === undefined) {
    return { status: "malformed", detail: `the posted bytes are not an envelope: ${posted.malformed ?? "unread"}` };
  }
  const attempt = tryOpenEnvelope(posted.envelope, readerId, keyFor);
  if (!attempt.ok) return { status: attempt.failure, keyVersion: attempt.keyVersion, detail: attempt.reason };
  const { keyVersion, opened } = attempt;
  if (opened.commitment !== commitment.toLowerCase()) {
    return {
      status: "mismatch",
      keyVersion,
      detail: `opens to terms whose commitment is ${opened.commitment}, not ${commitment.toLowerCase()}`,
    };
  }
  return { status: "verified", keyVersion, detail: "opens and matches its commitment", terms: opened.terms };
}

export interface OpenedPosted<T> {
  terms: T;
  /** The envelope that opened and matched the commitment. */
  posted: PostedEnvelope;
  /** The other envelopes under the commitment that did not, with why. */
  mismatches: { posted: PostedEnvelope; check: EnvelopeCheck }[];
}

/**
 * Opens the envelope posted under `commitment` as reader `readerId` (a wallet address, or "regulator") with its
 * private key: tries each envelope posted under the commitment, keeps the first that opens and matches it, and
 * reports the others. Throws if none does.
 */
export async function openPosted<T = unknown>(
  board: EnvelopeBoard,
  commitment: string,
  readerId: string,
  privateKey: string,
  fromBlock: number = 0,
  toBlock: BlockTag = "latest",
): Promise<OpenedPosted<T>> {
  const posted = await postedEnvelopes(board, commitment, fromBlock, toBlock);
  if (posted.length === 0) throw new Error(`no envelope is posted under commitment ${commitment}`);
  let opened: { terms: T; posted: PostedEnvelope } | undefined;
  const mismatches: OpenedPosted<T>["mismatches"] = [];
  for (const p of posted) {
    const check = checkEnvelope(p, commitment, readerId, () => privateKey);
    if (check.status !== "verified") mismatches.push({ posted: p, check });
    else if (!opened) opened = { terms: check.terms as T, posted: p };
  }
  if (!opened) {
    const why = mismatches.map((m) => `block ${m.posted.block}: ${m.check.status}`).join("; ");
    throw new Error(`none of the ${posted.length} envelopes under ${commitment} opens for ${readerId}: ${why}`);
  }
  return { ...opened, mismatches };
}

// ---------------------------------------------------------------- keys

/** The keystore password from the environment. */
function keyPassword(): string {
  const password = process.env[PASSWORD_ENV];
  if (password === undefined || password === "") throw new Error(`set ${PASSWORD_ENV} to the key file's password`);
  return password;
}

function parseRawKey(text: string, source: string): string {
  const hex = text.trim().startsWith("0x") ? text.trim() : `0x${text.trim()}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${source} is not a private key (64 hex digits)`);
  try {
    publicKeyOf(hex);
  } catch {
    throw new Error(`${source} is not a valid secp256k1 private key`);
  }
  return hex.toLowerCase();
}

async function readKeyFile(file: string): Promise<string> {
  if (!fs.existsSync(file)) throw new Error(`no key file ${file}`);
  const json = fs.readFileSync(file, "utf8");
  if (!ethers.isKeystoreJson(json)) throw new Error(`${file} is not an encrypted key file (JSON keystore)`);
  const password = keyPassword();
  try {
    return (await ethers.Wallet.fromEncryptedJson(json, password)).privateKey;
  } catch {
    throw new Error(`the key file ${file} does not open with the password in ${PASSWORD_ENV}`);
  }
}

/**
 * A private key for envelopes: from an encrypted key file (an Ethereum JSON keystore: the key is secp256k1, the
 * password in `BILL_DVP_KEY_PASSWORD`), or else raw hex in the environment variable `envVar` (default
 * `BILL_DVP_VIEW_KEY`, the regulator's).
 */
export async function loadPrivateKey(options: { keyFile?: string; envVar?: string }): Promise<string> {
  const keys = await loadPrivateKeys({ keyFiles: options.keyFile, envVar: options.envVar });
  if (keys.length !== 1) throw new Error("give one key here, not a list");
  return keys[0];
}

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/**
 * Several private keys (the regulator's view keys of several versions): key files, comma-separated, or else the
 * comma-separated hex keys in `envVar` (default `BILL_DVP_VIEW_KEY`).
 */
export async function loadPrivateKeys(options: { keyFiles?: string; envVar?: string }): Promise<string[]> {
  const envVar = options.envVar ?? VIEW_KEY_ENV;
  if (options.keyFiles !== undefined && options.keyFiles.trim() !== "") {
    const keys: string[] = [];
    for (const file of list(options.keyFiles)) keys.push(await readKeyFile(file));
    return keys;
  }
  const raw = process.env[envVar];
  if (raw === undefined || raw.trim() === "") throw new Error(`give --key-file <keystore>, or set ${envVar}`);
  return list(raw).map((k, i) => parseRawKey(k, `entry ${i + 1} of ${envVar}`));
}

/**
 * Writes a fresh secp256k1 key to `file` as an encrypted JSON keystore (password from `BILL_DVP_KEY_PASSWORD`),
 * readable by its owner only; never overwrites. Returns the public key (compressed) to publish.
 */
export async function newKeyFile(file: string): Promise<{ file: string; publicKey: string }> {
  if (fs.existsSync(file)) throw new Error(`${file} exists: a key file is never overwritten, choose another --out`);
  const password = keyPassword();
  const { privateKey, publicKey } = newEncryptionKey();
  const json = await new ethers.Wallet(privateKey).encrypt(password);
  fs.writeFileSync(file, json + "\n", { mode: 0o600, flag: "wx" });
  fs.chmodSync(file, 0o600);
  return { file, publicKey };
}

/** The compressed public key of the private key in a key file. */
export async function publicKeyOfFile(file: string): Promise<string> {
  return publicKeyOf(await readKeyFile(file));
}

/** The public key a command is given: `--key-file` (its public key) or `--public-key`, exactly one. */
export async function publicKeyFromOptions(options: { keyFile?: string; publicKey?: string }): Promise<string> {
  if ((options.keyFile === undefined) === (options.publicKey === undefined)) {
    throw new Error("give --key-file or --public-key");
  }
  const publicKey = options.keyFile !== undefined ? await publicKeyOfFile(options.keyFile) : options.publicKey!;
  if (!ethers.isHexString(publicKey, 33)) throw new Error(`"${publicKey}" is not a compressed public key`);
  return publicKey;
}

/** The regulator's view keys matched to their versions on chain. */
export interface ViewKeyring {
  /** The current view key version (0: none published). */
  current: number;
  /** Private key by the version whose published public key it matches. */
  keys: Map<number, string>;
  /** Public keys of given private keys that match no published version. */
  unmatched: string[];
}

/** Matches `privateKeys` to the view key versions published in `EncryptionKeys` (as of `blockTag`). */
export async function viewKeyring(
  keys: EncryptionKeys,
  privateKeys: string[],
  blockTag: BlockTag = "latest",
): Promise<ViewKeyring> {
  const view = await unlessRefused(keys.viewKey({ blockTag }), keys.interface, "KeysUnknownViewKey");
  const current = Number(view?.version ?? 0n);
  const byPublic = new Map(privateKeys.map((k) => [publicKeyOf(k).toLowerCase(), k]));
  const ring = new Map<number, string>();
  const used = new Set<string>();
  for (let version = 1; version <= current; version++) {
    const published = ethers.hexlify(await keys.viewKeyAt(version, { blockTag })).toLowerCase();
    const key = byPublic.get(published);
    if (key !== undefined) {
      ring.set(version, key);
      used.add(published);
    }
  }
  return { current, keys: ring, unmatched: [...byPublic.keys()].filter((p) => !used.has(p)) };
}
