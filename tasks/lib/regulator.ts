/**
 * The regulator's side of the command line: its reports (all bills, all trades, an entity with its wallets and
 * holdings: public records any node serves, gathered in one place), what it orders (freezes, the view key's
 * rotation), and the envelope keys every party publishes. Reads are made "as of" a block when a range is given, so
 * that a report describes one moment of the chain.
 */
import { ethers } from "ethers";
import type { Log } from "ethers";
import type { Platform } from "./deployment";
import {
  Act,
  BillType,
  RangeState,
  billTermsOf,
  freezeRange,
  isoFromDay,
  rangesOf,
  rangesOfBill,
  unfreezeRange,
  type BillTerms,
  type RangeView,
} from "./bills";
import { balanceOf, freeze, unfreeze, type BalanceView } from "./cash";
import { REGULATOR_READER } from "./confidential";
import { findTerms, formatRate, termsFromResult, TradeKind, TradeStatus, type Terms } from "./dvp";
import { decodeError, unlessRefused } from "./errors";
import { EntityKind, entityIdOf, entityRecord, type EntityRecordView } from "./identity";
import { parseCount, parseUscc } from "./inputs";
import { parseCny } from "./money";
import { legView, tradeStatus } from "./trades";
import { mined } from "./tx";

export { REGULATOR_READER };

/** A closed block range; reads of state are made at `toBlock`. */
export interface BlockRange {
  fromBlock: number;
  toBlock: number;
}

function parseBlock(text: string, option: string): number {
  if (!/^\d+$/.test(text.trim())) throw new Error(`${option} must be a block number, not "${text}"`);
  return Number(text.trim());
}

/** `--from-block` (default 0) and `--to-block` (default the latest block), checked against the chain. */
export async function blockRange(platform: Platform, fromBlock?: string, toBlock?: string): Promise<BlockRange> {
  const latest = await platform.signer.provider.getBlockNumber();
  const from = fromBlock === undefined ? 0 : parseBlock(fromBlock, "--from-block");
  const to = toBlock === undefined ? latest : parseBlock(toBlock, "--to-block");
  if (to > latest) throw new Error(`--to-block ${to} is past the latest block ${latest}`);
  if (from > to) throw new Error(`--from-block ${from} is after --to-block ${to}`);
  return { fromBlock: from, toBlock: to };
}

/** Parsed logs of `contract` in the range (optionally only the events named), in chain order. */
export async function eventsOf(
  contract: Pick<ethers.BaseContract, "getAddress" | "interface" | "runner">,
  range: BlockRange,
  names?: string[],
  extraTopics: (string | string[] | null)[] = [],
) {
  const topics = names ? [names.map((n) => contract.interface.getEvent(n)!.topicHash), ...extraTopics] : [];
  const logs: Log[] = await contract.runner!.provider!.getLogs({
    address: await contract.getAddress(),
    topics,
    fromBlock: range.fromBlock,
    toBlock: range.toBlock,
  });
  return logs.flatMap((log) => {
    const parsed = contract.interface.parseLog(log);
    return parsed ? [{ log, parsed }] : [];
  });
}

/** Event arguments by name, as strings (enums by name where known), for tables and JSON. */
export function argsOf(parsed: ethers.LogDescription, skip: string[] = []): Record<string, string> {
  const enums = {
    status: TradeStatus,
    kind: TradeKind,
    billType: BillType,
    state: RangeState,
    act: Act,
  } as unknown as Record<string, Record<number, string> | undefined>;
  const out: Record<string, string> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    if (skip.includes(input.name)) return;
    const value: unknown = parsed.args[i];
    const names = enums[input.name];
    out[input.name] = names && typeof value === "bigint" ? (names[Number(value)] ?? String(value)) : String(value);
  });
  return out;
}

// ---------------------------------------------------------------- bills

export interface RegulatorBill extends BillTerms {
  /** The block of its `BillIssued` event. */
  issuedBlock?: number;
  ranges: RangeView[];
}

/**
 * Every bill (ids 1..billCount at the end of the range; with a `fromBlock` above 0, those issued in the range),
 * read with `bill(id)` and `rangesOfBill`, as of `toBlock`.
 */
export async function listBills(platform: Platform, range: BlockRange): Promise<RegulatorBill[]> {
  const ledger = platform.billLedger;
  const blockTag = range.toBlock;
  const issued = new Map<bigint, number>();
  for (const { log, parsed } of await eventsOf(ledger, range, ["BillIssued"])) {
    issued.set(parsed.args.billId as bigint, log.blockNumber);
  }
  const count = await ledger.billCount({ blockTag });
  const ids =
    range.fromBlock === 0
      ? Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1))
      : [...issued.keys()].sort((a, b) => (a < b ? -1 : 1));
  const bills: RegulatorBill[] = [];
  for (const billId of ids) {
    const b = await ledger.bill(billId, { blockTag });
    bills.push({
      ...billTermsOf(billId, b),
      issuedBlock: issued.get(billId),
      ranges: await rangesOfBill(ledger, billId, 100n, blockTag),
    });
  }
  return bills;
}

// ---------------------------------------------------------------- trades

/** The engine's events about trades. */
export const TRADE_EVENTS = [
  "TradeProposed",
  "TradeSettled",
  "TradeEnded",
  "RepoTendered",
  "RepoClosed",
  "RepoDefaulted",
  "RefundOwed",
  "RefundReclaimed",
];

export interface RegulatorTrade {
  tradeId: string;
  kind: string;
  status: string;
  refundOwed: bigint;
  signed: boolean;
  maker: string;
  taker: string;
  makerGives: string;
  takerGives: string;
  rate: string;
  valueDate: string;
  endDate?: string;
  /** The commitment of the trade's sealed envelope, or zero. */
  confidential: string;
  /** The trade's events in the range. */
  events: { block: number; event: string; args: Record<string, string> }[];
  terms: Terms;
}

/** Every trade with an event in the range (proposed, settled, ended, repo closed or defaulted), oldest first. */
export async function listRegulatorTrades(platform: Platform, range: BlockRange): Promise<RegulatorTrade[]> {
  const engine = platform.settlementEngine;
  const byId = new Map<string, { terms?: Terms; signed: boolean; events: RegulatorTrade["events"] }>();
  for (const { log, parsed } of await eventsOf(engine, range, TRADE_EVENTS)) {
    const id = (parsed.args.tradeId as string).toLowerCase();
    const entry = byId.get(id) ?? { signed: false, events: [] };
    byId.set(id, entry);
    if (parsed.name === "TradeProposed" || parsed.name === "TradeSettled") {
      entry.terms ??= termsFromResult(parsed.args.terms);
      if (parsed.name === "TradeSettled") entry.signed = parsed.args.signed as boolean;
    }
    entry.events.push({ block: log.blockNumber, event: parsed.name, args: argsOf(parsed, ["tradeId", "terms"]) });
  }
  const trades: RegulatorTrade[] = [];
  for (const [tradeId, entry] of byId) {
    const terms = entry.terms ?? (await findTerms(engine, tradeId));
    const { status, refundOwed } = await tradeStatus(platform, tradeId, terms, { blockTag: range.toBlock });
    trades.push({
      tradeId,
      kind: TradeKind[terms.kind],
      status,
      refundOwed,
      signed: entry.signed,
      maker: terms.maker,
      taker: terms.taker,
      makerGives: (await legView(platform, terms.makerLeg)).text,
      takerGives: (await legView(platform, terms.takerLeg)).text,
      rate: formatRate(terms.rate),
      valueDate: isoFromDay(terms.valueDay),
      endDate: terms.endDay === 0n ? undefined : isoFromDay(terms.endDay),
      confidential: terms.confidential,
      events: entry.events,
      terms,
    });
  }
  return trades;
}

// ---------------------------------------------------------------- entities

export interface WalletHoldings extends BalanceView {
  /** Ranges of bills the wallet holds (not redeemed). */
  ranges: RangeView[];
  /** Units (fen of face) across them. */
  billUnits: bigint;
}

export interface EntityReport extends EntityRecordView {
  /** The entity's published envelope key, if any. */
  envelopeKey?: { publicKey: string; version: number };
  wallets: WalletHoldings[];
}

/** An entity id from `--id`: 0x and 64 hex digits, or a unified social credit code (hashed as the registry does). */
export function parseEntityId(text: string): string {
  if (/^0x[0-9a-fA-F]{64}$/.test(text.trim())) return text.trim().toLowerCase();
  if (/^0x/i.test(text.trim())) throw new Error(`--id "${text}" is not an entity id (0x and 64 hex digits)`);
  return entityIdOf(parseUscc(text, "--id"));
}

/** The identity record of an entity (by id or code, or by one of its wallets), its wallets and their holdings. */
export async function entityReport(platform: Platform, who: { id?: string; wallet?: string }): Promise<EntityReport> {
  const { identityRegistry: registry, digitalCurrency, billLedger, encryptionKeys } = platform;
  if ((who.id === undefined) === (who.wallet === undefined)) throw new Error("give --id or --wallet");
  let entityId: string;
  if (who.wallet !== undefined) {
    const wallet = ethers.getAddress(who.wallet);
    const identity = await registry.identityOf(wallet);
    if (identity.entityId === ethers.ZeroHash) {
      throw new Error(`wallet ${wallet} is not linked to any entity (kind ${EntityKind[Number(identity.kind)]})`);
    }
    entityId = identity.entityId;
  } else entityId = parseEntityId(who.id!);
  const key = await unlessRefused(encryptionKeys.entityKey(entityId), encryptionKeys.interface, "KeysNoEntityKey");
  const envelopeKey: EntityReport["envelopeKey"] = key && { publicKey: key[0], version: Number(key[1]) };
  const wallets: WalletHoldings[] = [];
  for (const wallet of await registry.walletsOf(entityId)) {
    const ranges = await rangesOf(billLedger, wallet);
    wallets.push({
      ...(await balanceOf(digitalCurrency, wallet)),
      ranges,
      billUnits: ranges.reduce((sum, r) => sum + r.units, 0n),
    });
  }
  return { ...(await entityRecord(registry, entityId)), envelopeKey, wallets };
}

// ---------------------------------------------------------------- orders

export interface FreezeOrder {
  /** A currency account: frozen whole, or `amount` (CNY) of it. */
  account?: string;
  amount?: string;
  /** A bill range: the range of `bill` starting at `start`, its first `units` units (default: all of it). */
  bill?: string;
  start?: string;
  units?: string;
}

/**
 * Carries out a freeze (or, with `lift`, its release) by the existing freeze functions: a currency account, an
 * amount of it, or a bill range. Regulator only.
 */
export async function freezeOrder(
  platform: Platform,
  order: FreezeOrder,
  lift: boolean,
): Promise<{ what: string; tx?: string }> {
  const onAccount = order.account !== undefined;
  const onBill = order.bill !== undefined || order.start !== undefined;
  if (onAccount === onBill) throw new Error("give --account (with --amount for part of it) or --bill and --start");
  let receipt: { hash?: string } | null;
  let what: string;
  if (onAccount) {
    if (order.units !== undefined) throw new Error("--units goes with --bill; an amount of money is --amount");
    const account = ethers.getAddress(order.account!);
    const fen = order.amount === undefined ? undefined : parseCny(order.amount, "--amount");
    receipt = await (lift ? unfreeze : freeze)(platform.digitalCurrency, account, fen);
    what =
      fen === undefined
        ? `${lift ? "unfroze" : "froze"} account ${account}`
        : `${lift ? "released" : "froze"} CNY ${order.amount} of ${account}`;
  } else {
    if (order.bill === undefined || order.start === undefined)
      throw new Error("a range is given by --bill and --start");
    if (order.amount !== undefined) throw new Error("--amount goes with --account; part of a range is --units");
    const billId = parseCount(order.bill, "--bill");
    const start = parseCount(order.start, "--start");
    const ledger = platform.billLedger;
    if (lift) {
      if (order.units !== undefined) throw new Error("a frozen range is released whole: leave out --units");
      receipt = (await unfreezeRange(ledger, billId, start)) as { hash?: string } | null;
      what = `unfroze bill ${billId} range from unit ${start}`;
    } else {
      const units =
        order.units !== undefined
          ? parseCount(order.units, "--units")
          : await ledger.rangeAt(billId, start).then((r) => r.end - start + 1n);
      receipt = (await freezeRange(ledger, billId, start, units)) as { hash?: string } | null;
      what = `froze bill ${billId} units ${start}..${start + units - 1n}`;
    }
  }
  return { what, tx: receipt?.hash };
}

/**
 * Refuses, before anything is sent, a public key that is already on chain for someone else: an entity publishing a
 * key another entity published (any version), or a view key, or the regulator rotating to a key an entity published.
 * One key for two owners would let each open what is sealed for the other. `entityId` is the publishing entity's
 * (undefined: the key is to be the regulator's view key).
 */
export async function refuseKeyOfAnother(platform: Platform, publicKey: string, entityId?: string): Promise<void> {
  const keys = platform.encryptionKeys;
  const range = { fromBlock: 0, toBlock: await platform.signer.provider.getBlockNumber() };
  const same = (bytes: unknown) => ethers.hexlify(bytes as string).toLowerCase() === publicKey.toLowerCase();
  for (const { parsed } of await eventsOf(keys, range, ["EntityKeySet"])) {
    const owner = parsed.args.entityId as string;
    if (same(parsed.args.publicKey) && owner.toLowerCase() !== entityId?.toLowerCase()) {
      throw new Error(
        `the key ${publicKey} is already registered to entity ${owner} (its key version ${parsed.args.version}): ` +
          "make a key of your own with npx hardhat keys new",
      );
    }
  }
  if (entityId === undefined) return;
  for (const { parsed } of await eventsOf(keys, range, ["ViewKeyRotated"])) {
    if (same(parsed.args.publicKey)) {
      throw new Error(
        `the key ${publicKey} is the regulator's view key version ${parsed.args.version}: ` +
          "make a key of your own with npx hardhat keys new",
      );
    }
  }
}

/** Publishes a new view key: envelopes sealed from now on name its version. Regulator only. */
export async function rotateViewKey(platform: Platform, publicKey: string) {
  const keys = platform.encryptionKeys;
  const receipt = await mined(keys.rotateViewKey(publicKey));
  const [, version] = await keys.viewKey();
  return { publicKey, version: Number(version), tx: receipt?.hash };
}

/** The acting wallet publishes its entity's envelope key. */
export async function publishEntityKey(platform: Platform, publicKey: string) {
  const keys = platform.encryptionKeys;
  const receipt = await mined(keys.setEntityKey(publicKey));
  const event = receipt!.logs.map((l) => keys.interface.parseLog(l)).find((p) => p?.name === "EntityKeySet");
  return {
    publicKey,
    entityId: event!.args.entityId as string,
    version: Number(event!.args.version),
    tx: receipt?.hash,
  };
}

/** A wallet's entity envelope key (none if unpublished) and the regulator's current view key (none if none yet). */
export async function showKeys(platform: Platform, wallet?: string) {
  const keys = platform.encryptionKeys;
  const who = ethers.getAddress(wallet ?? platform.signer.address);
  const known = new Set(["KeysNoWalletKey", "KeysNoEntityKey", "KeysUnknownViewKey"]);
  const orNone = async (read: () => Promise<[string, bigint]>) => {
    try {
      const [publicKey, version] = await read();
      return { publicKey, version: Number(version) };
    } catch (error) {
      if (!known.has(decodeError(error, [keys.interface])?.name ?? "")) throw error;
      return undefined;
    }
  };
  return {
    wallet: who,
    entityKey: await orNone(async () => [...(await keys.keyOf(who))] as [string, bigint]),
    viewKey: await orNone(async () => [...(await keys.viewKey())] as [string, bigint]),
  };
}
