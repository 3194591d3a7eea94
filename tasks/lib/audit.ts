/**
 * The regulator's audit of a block range: every bill issued and every act on bills, every trade with an event,
 * the currency volumes per institution, what stands frozen at the end of the range, and, with the view keys, every
 * sealed envelope a trade (`Terms.confidential`) or a bill (`tradeHash`) commits to, decrypted and checked against
 * its commitment. Everything but the envelopes' contents is public (events and views any node serves); the view
 * keys stay in this process (never on chain, never in the report).
 */
import { ethers } from "ethers";
import type { Platform } from "./deployment";
import { billTermsOf, RangeState, rangesOfBill, type BillTerms, type RangeView } from "./bills";
import { checkEnvelope, envelopesUnder, REGULATOR_READER, viewKeyring, type EnvelopeStatus } from "./confidential";
import type { Terms } from "./dvp";
import { EntityKind } from "./identity";
import { formatCny } from "./money";
import { table, type Row } from "./output";
import { argsOf, eventsOf, listRegulatorTrades, type BlockRange, type RegulatorTrade } from "./regulator";

export interface AuditBill extends BillTerms {
  block: number;
}

/** An act on a bill: a ledger or payments event (a `RangeUpdated` only when it freezes or releases a range). */
export interface BillAct {
  block: number;
  tx: string;
  contract: "BillLedger" | "BillPayments";
  event: string;
  billId?: bigint;
  args: Record<string, string>;
}

/** Currency paid and received in the trades settled (and repos closed) in the range, by entity. */
export interface Volume {
  /** The entity id, or the wallet for a wallet linked to no entity. */
  entityId: string;
  kind: string;
  wallets: string[];
  trades: number;
  paid: bigint;
  received: bigint;
  billUnitsDelivered: bigint;
  billUnitsReceived: bigint;
}

export interface FrozenAccount {
  account: string;
  accountFrozen: boolean;
  frozenAmount: bigint;
  balance: bigint;
}

export interface FreezeAct {
  block: number;
  tx: string;
  event: string;
  account: string;
  amount?: bigint;
  by: string;
}

/** What the audit found about one envelope (or the lack of one) under a commitment an act binds. */
export interface EnvelopeRow {
  source: "trade" | "bill";
  /** The trade id, or the bill id. */
  ref: string;
  commitment: string;
  /** "none posted" when nothing is under the commitment; "not opened" when no view key was given. */
  status: EnvelopeStatus | "none posted" | "not opened";
  poster?: string;
  block?: number;
  tx?: string;
  keyVersion?: number;
  detail: string;
  terms?: unknown;
}

export type FlagKind =
  "no-envelope" | "mismatch" | "tampered" | "wrong-key" | "no-key" | "not-for-regulator" | "malformed";

export interface AuditFlag {
  kind: FlagKind;
  source: "trade" | "bill";
  ref: string;
  commitment: string;
  poster?: string;
  block?: number;
  detail: string;
}

export interface AuditReport {
  fromBlock: number;
  toBlock: number;
  /** The view keys given, by the versions they match (no key itself). Absent if none were given. */
  viewKeys?: { current: number; versions: number[]; unmatchedPublicKeys: string[] };
  summary: {
    billsIssued: number;
    billActs: number;
    trades: number;
    tradesSettled: number;
    frozenAccounts: number;
    frozenRanges: number;
    envelopesVerified: number;
    flags: number;
  };
  bills: AuditBill[];
  billActs: BillAct[];
  trades: Omit<RegulatorTrade, "terms">[];
  volumes: Volume[];
  freezeActs: FreezeAct[];
  frozen: { accounts: FrozenAccount[]; ranges: RangeView[] };
  envelopes: EnvelopeRow[];
  flags: AuditFlag[];
}

const LEDGER_ACTS = new Set([
  "ApplicationMade",
  "ApplicationAnswered",
  "Endorsed",
  "Guaranteed",
  "AcceptorBankruptcySet",
]);

/** Bills issued and acts on bills in the range; the ranges ever frozen up to its end. */
async function billsAndActs(platform: Platform, range: BlockRange) {
  const ledger = platform.billLedger;
  const bills: AuditBill[] = [];
  const acts: BillAct[] = [];
  // Freezes and releases are RangeUpdated events into and out of Frozen: follow each range's state from block 0.
  const lastState = new Map<string, number>();
  const everFrozen = new Set<bigint>();
  const whole = { fromBlock: 0, toBlock: range.toBlock };
  for (const { log, parsed } of await eventsOf(ledger, whole, ["RangeUpdated", "RangeSplit"])) {
    const billId = parsed.args.billId as bigint;
    const key = (start: bigint) => `${billId}:${start}`;
    if (parsed.name === "RangeSplit") {
      const state = lastState.get(key(parsed.args.start as bigint));
      // RangeSplit(billId, start, at): `at` is read by position (`Result.at` is the array method).
      if (state !== undefined) lastState.set(key(parsed.args[2] as bigint), state);
      continue;
    }
    const state = Number(parsed.args.state);
    const before = lastState.get(key(parsed.args.start as bigint));
    lastState.set(key(parsed.args.start as bigint), state);
    const frozen = state === RangeState.Frozen;
    if (frozen) everFrozen.add(billId);
    const released = before === RangeState.Frozen && !frozen;
    if (log.blockNumber < range.fromBlock || (!frozen && !released)) continue;
    acts.push({
      block: log.blockNumber,
      tx: log.transactionHash,
      contract: "BillLedger",
      event: "RangeUpdated",
      billId,
      args: { ...argsOf(parsed, ["billId", "chain"]), freeze: frozen ? "frozen" : "released" },
    });
  }
  for (const { log, parsed } of await eventsOf(ledger, range)) {
    if (parsed.name === "BillIssued") {
      const a = parsed.args;
      const terms = billTermsOf(a.billId as bigint, a as unknown as Parameters<typeof billTermsOf>[1]);
      bills.push({ ...terms, tradeHash: terms.tradeHash.toLowerCase(), block: log.blockNumber });
    }
    if (parsed.name === "BillIssued" || LEDGER_ACTS.has(parsed.name)) {
      acts.push({
        block: log.blockNumber,
        tx: log.transactionHash,
        contract: "BillLedger",
        event: parsed.name,
        billId: parsed.name === "AcceptorBankruptcySet" ? undefined : (parsed.args.billId as bigint),
        args: argsOf(parsed, ["billId"]),
      });
    }
  }
  for (const { log, parsed } of await eventsOf(platform.billPayments, range)) {
    acts.push({
      block: log.blockNumber,
      tx: log.transactionHash,
      contract: "BillPayments",
      event: parsed.name,
      billId: parsed.args.billId as bigint | undefined,
      args: argsOf(parsed, ["billId"]),
    });
  }
  acts.sort((a, b) => a.block - b.block);
  return { bills, acts, everFrozen };
}

/** Currency and bill units each entity paid, received, delivered and took in the settlements of the range. */
async function volumesOf(platform: Platform, range: BlockRange, trades: RegulatorTrade[]): Promise<Volume[]> {
  const currency = (await platform.digitalCurrency.getAddress()).toLowerCase();
  const ledger = (await platform.billLedger.getAddress()).toLowerCase();
  const byWallet = new Map<string, Omit<Volume, "entityId" | "kind" | "wallets"> & { tradeIds: Set<string> }>();
  const of = (wallet: string) => {
    const key = ethers.getAddress(wallet);
    if (!byWallet.has(key)) {
      byWallet.set(key, {
        trades: 0,
        paid: 0n,
        received: 0n,
        billUnitsDelivered: 0n,
        billUnitsReceived: 0n,
        tradeIds: new Set(),
      });
    }
    return byWallet.get(key)!;
  };
  const move = (from: string, to: string, asset: string, amount: bigint) => {
    if (asset.toLowerCase() === currency) {
      of(from).paid += amount;
      of(to).received += amount;
    } else if (asset.toLowerCase() === ledger) {
      of(from).billUnitsDelivered += amount;
      of(to).billUnitsReceived += amount;
    }
  };
  const termsOf = new Map(trades.map((t) => [t.tradeId, t.terms]));
  for (const trade of trades) {
    const t: Terms = trade.terms;
    for (const e of trade.events) {
      if (e.event === "TradeSettled") {
        of(t.maker).tradeIds.add(trade.tradeId);
        of(t.taker).tradeIds.add(trade.tradeId);
        move(t.maker, t.taker, t.makerLeg.asset, t.makerLeg.amount);
        move(t.taker, t.maker, t.takerLeg.asset, t.takerLeg.amount);
      } else if (e.event === "RepoClosed") {
        // The borrower pays the closing amount in the cash leg's token and takes its range back.
        const terms = termsOf.get(trade.tradeId)!;
        const borrower = ethers.getAddress(e.args.borrower);
        const lender = borrower === ethers.getAddress(terms.maker) ? terms.taker : terms.maker;
        const cashLeg = terms.makerLeg.asset.toLowerCase() === ledger ? terms.takerLeg : terms.makerLeg;
        const billLeg = terms.makerLeg.asset.toLowerCase() === ledger ? terms.makerLeg : terms.takerLeg;
        move(borrower, lender, cashLeg.asset, BigInt(e.args.amount));
        move(lender, borrower, billLeg.asset, billLeg.amount);
      }
    }
  }
  const byEntity = new Map<string, Volume>();
  for (const [wallet, v] of byWallet) {
    const identity = await platform.identityRegistry.identityOf(wallet, { blockTag: range.toBlock });
    const entityId = identity.entityId === ethers.ZeroHash ? wallet : identity.entityId;
    const entry = byEntity.get(entityId) ?? {
      entityId,
      kind: EntityKind[Number(identity.kind)],
      wallets: [],
      trades: 0,
      paid: 0n,
      received: 0n,
      billUnitsDelivered: 0n,
      billUnitsReceived: 0n,
    };
    entry.wallets.push(wallet);
    entry.trades += v.tradeIds.size;
    entry.paid += v.paid;
    entry.received += v.received;
    entry.billUnitsDelivered += v.billUnitsDelivered;
    entry.billUnitsReceived += v.billUnitsReceived;
    byEntity.set(entityId, entry);
  }
  return [...byEntity.values()].sort((a, b) => (a.paid + a.received > b.paid + b.received ? -1 : 1));
}

/** Currency freezes in the range, and every account frozen (whole or in part) at its end. */
async function currencyFreezes(platform: Platform, range: BlockRange) {
  const cash = platform.digitalCurrency;
  const names = ["AccountFrozen", "AccountUnfrozen", "AmountFrozen", "AmountUnfrozen"];
  const acts: FreezeAct[] = [];
  const candidates = new Set<string>();
  for (const { log, parsed } of await eventsOf(cash, { fromBlock: 0, toBlock: range.toBlock }, names)) {
    candidates.add(parsed.args.account as string);
    if (log.blockNumber < range.fromBlock) continue;
    acts.push({
      block: log.blockNumber,
      tx: log.transactionHash,
      event: parsed.name,
      account: parsed.args.account as string,
      amount: parsed.name.startsWith("Amount") ? (parsed.args.amount as bigint) : undefined,
      by: parsed.args.by as string,
    });
  }
  const blockTag = range.toBlock;
  const accounts: FrozenAccount[] = [];
  for (const account of candidates) {
    const [accountFrozen, frozenAmount, balance] = await Promise.all([
      cash.isAccountFrozen(account, { blockTag }),
      cash.frozenAmountOf(account, { blockTag }),
      cash.balanceOf(account, { blockTag }),
    ]);
    if (accountFrozen || frozenAmount > 0n) accounts.push({ account, accountFrozen, frozenAmount, balance });
  }
  return { acts, accounts };
}

const FLAGGED: Partial<Record<EnvelopeStatus, FlagKind>> = {
  mismatch: "mismatch",
  tampered: "tampered",
  "wrong-key": "wrong-key",
  "no-key": "no-key",
  "not-a-reader": "not-for-regulator",
  malformed: "malformed",
};

/** Finds, opens and checks the envelope under each commitment a trade or a bill of the range binds. */
async function auditEnvelopes(
  platform: Platform,
  range: BlockRange,
  references: { source: "trade" | "bill"; ref: string; commitment: string }[],
  privateKeys: string[] | undefined,
) {
  const ring = privateKeys ? await viewKeyring(platform.encryptionKeys, privateKeys, range.toBlock) : undefined;
  const posted = await envelopesUnder(
    platform.envelopeBoard,
    references.map((r) => r.commitment),
    0,
    range.toBlock,
  );
  const rows: EnvelopeRow[] = [];
  const flags: AuditFlag[] = [];
  for (const { source, ref, commitment } of references) {
    const found = posted.get(commitment) ?? [];
    if (found.length === 0) {
      const detail =
        source === "trade"
          ? "the trade commits to sealed terms, but no envelope is posted under the commitment"
          : "no envelope posted: the trade hash is the hash of a background document kept off chain";
      rows.push({ source, ref, commitment, status: "none posted", detail });
      if (source === "trade") flags.push({ kind: "no-envelope", source, ref, commitment, detail });
      continue;
    }
    for (const p of found) {
      const check = checkEnvelope(p, commitment, REGULATOR_READER, (v) => ring?.keys.get(v));
      let status: EnvelopeRow["status"] = check.status;
      let detail = check.detail;
      if (check.status === "no-key" && ring) {
        const v = check.keyVersion!;
        if (v < 1 || v > ring.current) {
          status = "wrong-key";
          detail = `names view key version ${v}, which was not published by block ${range.toBlock}`;
        }
      } else if (check.status === "no-key") {
        status = "not opened";
        detail = `sealed for view key version ${check.keyVersion}; no view key was given`;
      }
      rows.push({
        source,
        ref,
        commitment,
        status,
        poster: p.poster,
        block: p.block,
        tx: p.tx,
        keyVersion: check.keyVersion,
        detail,
        terms: check.terms,
      });
      const kind = status === "not opened" ? undefined : FLAGGED[status];
      if (kind) flags.push({ kind, source, ref, commitment, poster: p.poster, block: p.block, detail });
    }
  }
  const viewKeys = ring && {
    current: ring.current,
    versions: [...ring.keys.keys()].sort((a, b) => a - b),
    unmatchedPublicKeys: ring.unmatched,
  };
  return { rows, flags, viewKeys };
}

/**
 * The audit of `range` as the acting wallet (the regulator). With `viewKeys` (the regulator's private view keys,
 * any versions), every envelope is opened and checked; without, envelopes are found and listed but not opened.
 */
export async function audit(
  platform: Platform,
  range: BlockRange,
  options: { viewKeys?: string[] } = {},
): Promise<AuditReport> {
  const { bills, acts, everFrozen } = await billsAndActs(platform, range);
  const trades = await listRegulatorTrades(platform, range);
  const volumes = await volumesOf(platform, range, trades);
  const freezes = await currencyFreezes(platform, range);
  const frozenRanges: RangeView[] = [];
  for (const billId of [...everFrozen].sort((a, b) => (a < b ? -1 : 1))) {
    const ranges = await rangesOfBill(platform.billLedger, billId, 100n, range.toBlock);
    frozenRanges.push(...ranges.filter((r) => r.state === RangeState[RangeState.Frozen]));
  }
  const references = [
    ...trades
      .filter((t) => t.confidential !== ethers.ZeroHash)
      .map((t) => ({ source: "trade" as const, ref: t.tradeId, commitment: t.confidential.toLowerCase() })),
    ...bills.map((b) => ({ source: "bill" as const, ref: String(b.billId), commitment: b.tradeHash })),
  ];
  const envelopes = await auditEnvelopes(platform, range, references, options.viewKeys);
  return {
    fromBlock: range.fromBlock,
    toBlock: range.toBlock,
    viewKeys: envelopes.viewKeys,
    summary: {
      billsIssued: bills.length,
      billActs: acts.length,
      trades: trades.length,
      tradesSettled: trades.filter((t) => t.events.some((e) => e.event === "TradeSettled")).length,
      frozenAccounts: freezes.accounts.length,
      frozenRanges: frozenRanges.length,
      envelopesVerified: envelopes.rows.filter((r) => r.status === "verified").length,
      flags: envelopes.flags.length,
    },
    bills,
    billActs: acts,
    trades: trades.map(({ terms: _terms, ...rest }) => rest),
    volumes,
    freezeActs: freezes.acts,
    frozen: { accounts: freezes.accounts, ranges: frozenRanges },
    envelopes: envelopes.rows,
    flags: envelopes.flags,
  };
}

const short = (hex: string) => (hex.length > 14 ? `${hex.slice(0, 10)}…${hex.slice(-4)}` : hex);
const details = (args: Record<string, string>) =>
  Object.entries(args)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");

function section(title: string, rows: Row[]): string {
  return [`== ${title} (${rows.length})`, table(rows)].join("\n");
}

/** The audit as a person reads it: a summary, then one table per section. */
export function renderAudit(r: AuditReport): string {
  const keys = r.viewKeys
    ? `view keys given for versions ${r.viewKeys.versions.join(", ") || "none"} (current ${r.viewKeys.current})` +
      (r.viewKeys.unmatchedPublicKeys.length > 0
        ? `; ${r.viewKeys.unmatchedPublicKeys.length} given key(s) match no published version`
        : "")
    : "no view key given: envelopes found but not opened";
  return [
    `audit of blocks ${r.fromBlock}..${r.toBlock}; ${keys}`,
    table(Object.entries(r.summary).map(([item, count]) => ({ item, count }))),
    "",
    section(
      "flags",
      r.flags.map((f) => ({
        flag: f.kind,
        on: `${f.source} ${f.source === "trade" ? short(f.ref) : f.ref}`,
        commitment: short(f.commitment),
        poster: f.poster,
        block: f.block,
        detail: f.detail,
      })),
    ),
    "",
    section(
      "bills issued",
      r.bills.map((b) => ({
        bill: b.billId,
        block: b.block,
        type: b.billType,
        drawer: b.drawer,
        acceptor: b.acceptor,
        payee: b.payee,
        "face (CNY)": formatCny(b.face),
        matures: b.maturityDate,
        "trade hash": short(b.tradeHash),
      })),
    ),
    "",
    section(
      "acts on bills",
      r.billActs.map((a) => ({
        block: a.block,
        contract: a.contract,
        event: a.event,
        bill: a.billId,
        details: details(a.args),
      })),
    ),
    "",
    section(
      "trades",
      r.trades.map((t) => ({
        trade: short(t.tradeId),
        kind: t.kind,
        status: t.status,
        maker: t.maker,
        taker: t.taker,
        "maker gives": t.makerGives,
        "taker gives": t.takerGives,
        events: t.events.map((e) => e.event).join(","),
        sealed: t.confidential === ethers.ZeroHash ? "-" : short(t.confidential),
      })),
    ),
    "",
    section(
      "volumes per institution (settlements in the range)",
      r.volumes.map((v) => ({
        entity: short(v.entityId),
        kind: v.kind,
        wallets: v.wallets.join(","),
        trades: v.trades,
        "paid (CNY)": formatCny(v.paid),
        "received (CNY)": formatCny(v.received),
        "bill face delivered (CNY)": formatCny(v.billUnitsDelivered),
        "bill face received (CNY)": formatCny(v.billUnitsReceived),
      })),
    ),
    "",
    section(
      "currency freezes in the range",
      r.freezeActs.map((f) => ({
        block: f.block,
        event: f.event,
        account: f.account,
        "amount (CNY)": f.amount === undefined ? undefined : formatCny(f.amount),
        by: f.by,
      })),
    ),
    "",
    section(
      `frozen accounts at block ${r.toBlock}`,
      r.frozen.accounts.map((a) => ({
        account: a.account,
        "account frozen": a.accountFrozen ? "yes" : "no",
        "frozen (CNY)": formatCny(a.frozenAmount),
        "balance (CNY)": formatCny(a.balance),
      })),
    ),
    "",
    section(
      `frozen bill ranges at block ${r.toBlock}`,
      r.frozen.ranges.map((g) => ({
        bill: g.billId,
        units: `${g.start}..${g.end}`,
        "face (CNY)": formatCny(g.units),
        holder: g.holder,
      })),
    ),
    "",
    section(
      "sealed envelopes",
      r.envelopes.map((e) => ({
        on: `${e.source} ${e.source === "trade" ? short(e.ref) : e.ref}`,
        commitment: short(e.commitment),
        status: e.status,
        "view key": e.keyVersion,
        poster: e.poster,
        block: e.block,
        terms: e.terms === undefined ? e.detail : JSON.stringify(e.terms),
      })),
    ),
  ].join("\n");
}
