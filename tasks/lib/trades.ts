/**
 * The logic behind the `dvp` and `repo` tasks: terms built from command-line options (priced by the engine's own
 * views), allowances for the engine, two-phase acts on a trade found by its id, signed orders in files, batches,
 * quotes, and views of trades and their history.
 */
import fs from "node:fs";
import { ethers } from "ethers";
import type { Platform } from "./deployment";
import { billTermsOf, cstDayOf, dayFromIso, isoFromDay, mined, type BillTerms } from "./bills";
import {
  billLeg,
  EMPTY_LEG,
  engineDomain,
  findTerms,
  formatRate,
  freshNonce,
  orderFromJson,
  orderToJson,
  parseRate,
  signTerms,
  tokenLeg,
  termsFromResult,
  TERMS_TYPES,
  tradeIdOf,
  TradeKind,
  TradeStatus,
  type Leg,
  type SignedOrder,
  type Terms,
} from "./dvp";
import { parseCount } from "./inputs";
import { formatCny, parseCny } from "./money";
import { postSealed, readConfidentialFile, sealFor, type SealedForBoard } from "./confidential";
import { historyEntry, type HistoryEntry } from "./output";

/** Seconds a proposal or an order stays open unless `--deadline` says otherwise. */
export const DEFAULT_DEADLINE_SECONDS = 3600n;

const KIND_ALIASES: Record<string, TradeKind> = {
  discount: TradeKind.Discount,
  rediscount: TradeKind.Rediscount,
  cbr: TradeKind.CentralBankRediscount,
  centralbankrediscount: TradeKind.CentralBankRediscount,
  sale: TradeKind.OutrightSale,
  outrightsale: TradeKind.OutrightSale,
  swap: TradeKind.Swap,
  fop: TradeKind.FreeOfPayment,
  freeofpayment: TradeKind.FreeOfPayment,
  pledgerepo: TradeKind.PledgeRepo,
  outrightrepo: TradeKind.OutrightRepo,
};

/** "discount" | "rediscount" | "cbr" | "sale" | "swap" | "fop" | "pledge-repo" | "outright-repo" → kind. */
export function parseKind(name: string): TradeKind {
  const kind = KIND_ALIASES[name.trim().toLowerCase().replace(/[-_ ]/g, "")];
  if (kind === undefined) {
    throw new Error(
      `unknown trade kind "${name}" (use discount, rediscount, cbr, sale, swap, fop, pledge-repo or outright-repo)`,
    );
  }
  return kind;
}

export const isRepo = (kind: TradeKind) => kind === TradeKind.PledgeRepo || kind === TradeKind.OutrightRepo;
const isPriced = (kind: TradeKind) =>
  kind === TradeKind.Discount || kind === TradeKind.Rediscount || kind === TradeKind.CentralBankRediscount;

/** A trade id: 32 bytes in hex. */
export function parseTradeId(text: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text.trim())) throw new Error(`"${text}" is not a trade id (0x and 64 hex digits)`);
  return text.trim().toLowerCase();
}

/** Now on the chain: the latest block's time, or the wall clock if the chain has not mined for a while. */
export async function chainNow(platform: Platform): Promise<bigint> {
  const block = await platform.signer.provider.getBlock("latest");
  return BigInt(Math.max(block?.timestamp ?? 0, Math.floor(Date.now() / 1000)));
}

/** Unix seconds → "2026-03-01 14:30:00 CST". */
export function cstTime(seconds: bigint): string {
  const iso = new Date((Number(seconds) + 8 * 3600) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} CST`;
}

/** The command-line options that describe the terms of a trade. */
export interface TermsOptions {
  kind: string;
  /** The counterparty; the acting wallet is the maker. */
  taker?: string;
  /** For a signed order the acting wallet takes: the maker (then the acting wallet is the taker). */
  maker?: string;
  bill?: string;
  start?: string;
  units?: string;
  /** CNY: the cash leg (the principal of a pledge repo). */
  price?: string;
  /** Yearly percentage, e.g. "2.5%". */
  rate?: string;
  /** "sell": the maker delivers the bill; "buy": the maker delivers the cash. */
  side?: string;
  valueDate?: string;
  endDate?: string;
  /** CNY: the outright repo's closing amount. */
  closing?: string;
  /** Seconds from now. */
  deadline?: string;
  token?: string;
  /** The commitment of the trade's sealed envelope (see tasks/lib/envelope.ts); none by default. */
  confidential?: string;
  /**
   * A JSON file of confidential terms: sealed for the maker, the taker and the regulator, posted on the envelope
   * board by the acting wallet, its commitment put in the terms (instead of `confidential`).
   */
  confidentialFile?: string;
}

/**
 * Seals the terms in `options.confidentialFile` for the trade's parties and the regulator and puts the commitment
 * into `terms`; returns the sealed envelope to post (nothing is sent yet).
 */
async function sealTerms(platform: Platform, options: TermsOptions, terms: Terms): Promise<SealedForBoard | undefined> {
  if (options.confidentialFile === undefined) return undefined;
  if (options.confidential !== undefined) throw new Error("give the confidential terms as a file or a commitment");
  const sealed = await sealFor(platform, readConfidentialFile(options.confidentialFile), [terms.maker, terms.taker]);
  terms.confidential = sealed.commitment;
  return sealed;
}

/** A trade or a quote cannot value a bill before the day it was issued. */
function refuseValueDayBeforeIssue(valueDay: bigint, billId: bigint, issueDay: bigint) {
  if (valueDay < issueDay) {
    throw new Error(
      `--value-date ${isoFromDay(valueDay)} is before bill ${billId}'s issue date ${isoFromDay(issueDay)}`,
    );
  }
}

/** Builds the terms the options describe, pricing discount kinds and pledge repos with the engine's views. */
export async function buildTerms(platform: Platform, options: TermsOptions): Promise<Terms> {
  const { settlementEngine: engine, billLedger, digitalCurrency, signer } = platform;
  const kind = parseKind(options.kind);
  const me = signer.address;
  let maker = me;
  let taker = options.taker;
  if (options.maker !== undefined) {
    if (options.taker !== undefined && options.taker.toLowerCase() !== me.toLowerCase()) {
      throw new Error("with --maker the acting wallet is the taker: leave out --taker");
    }
    maker = ethers.getAddress(options.maker);
    taker = me;
  }
  if (taker === undefined) throw new Error("give the counterparty with --taker");
  taker = ethers.getAddress(taker);

  const now = await chainNow(platform);
  const valueDay = BigInt(options.valueDate !== undefined ? dayFromIso(options.valueDate) : cstDayOf(now));
  const deadline =
    now + (options.deadline !== undefined ? parseCount(options.deadline, "--deadline") : DEFAULT_DEADLINE_SECONDS);
  const side = (options.side ?? "sell").trim().toLowerCase();
  if (side !== "sell" && side !== "buy")
    throw new Error(`--side is sell (the maker delivers the bill) or buy, not "${side}"`);
  const rate = options.rate !== undefined ? parseRate(options.rate) : 0n;
  const token = options.token !== undefined ? ethers.getAddress(options.token) : await digitalCurrency.getAddress();

  if (options.bill === undefined || options.start === undefined) {
    throw new Error("give the bill leg with --bill <id> --start <first unit>");
  }
  const billId = parseCount(options.bill, "--bill");
  const start = parseCount(options.start, "--start");
  const units =
    options.units !== undefined
      ? parseCount(options.units, "--units")
      : await billLedger.rangeAt(billId, start).then((r) => r.end - start + 1n);
  const bill = billLeg(await billLedger.getAddress(), billId, start, units);
  refuseValueDayBeforeIssue(valueDay, billId, (await billLedger.bill(billId)).issueDay);

  const needs = (value: string | undefined, option: string) => {
    if (value === undefined) throw new Error(`a ${TradeKind[kind]} trade needs ${option}`);
    return value;
  };
  const refuses = (value: string | undefined, option: string) => {
    if (value !== undefined) throw new Error(`a ${TradeKind[kind]} trade takes no ${option}`);
  };
  let endDay = 0n;
  let closingAmount = 0n;
  if (isRepo(kind)) {
    endDay = BigInt(dayFromIso(needs(options.endDate, "--end-date")));
  } else {
    refuses(options.endDate, "--end-date");
    refuses(options.closing, "--closing");
  }

  let cash: Leg;
  if (kind === TradeKind.FreeOfPayment) {
    if (side !== "sell") throw new Error("in a free-of-payment trade the maker delivers the bill: --side sell");
    refuses(options.price, "--price");
    refuses(options.rate, "--rate");
    cash = EMPTY_LEG;
  } else if (isPriced(kind)) {
    needs(options.rate, "--rate");
    const price =
      options.price !== undefined
        ? parseCny(options.price, "--price")
        : (await engine.discountProceeds(billId, units, rate, valueDay)).proceeds;
    cash = tokenLeg(token, price);
  } else if (kind === TradeKind.PledgeRepo) {
    needs(options.rate, "--rate");
    const principal = parseCny(needs(options.price, "--price (the principal lent)"), "--price");
    closingAmount =
      options.closing !== undefined
        ? parseCny(options.closing, "--closing")
        : await engine.repoRepayment(principal, rate, valueDay, endDay);
    cash = tokenLeg(token, principal);
  } else if (kind === TradeKind.OutrightRepo) {
    refuses(options.rate, "--rate (it is quoted: give --price and --closing)");
    cash = tokenLeg(token, parseCny(needs(options.price, "--price (the purchase price)"), "--price"));
    closingAmount = parseCny(needs(options.closing, "--closing (the repurchase price)"), "--closing");
  } else {
    refuses(options.rate, "--rate (it is quoted: give --price)");
    cash = tokenLeg(token, parseCny(needs(options.price, "--price"), "--price"));
  }

  const [makerLeg, takerLeg] = side === "sell" ? [bill, cash] : [cash, bill];
  return {
    kind,
    maker,
    taker,
    makerLeg,
    takerLeg,
    rate,
    valueDay,
    endDay,
    closingAmount,
    deadline,
    nonce: freshNonce(),
    confidential: options.confidential ?? ethers.ZeroHash,
  };
}

// ---------------------------------------------------------------- allowances

const ERC20_ABI = [
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 value) returns (bool)",
];

/** Raises the acting wallet's allowance of `token` for the engine to `amount` (or by `amount`, if `additive`). */
async function allowEngine(platform: Platform, token: string, amount: bigint, additive = false) {
  if (amount === 0n) return;
  const erc20 = new ethers.Contract(token, ERC20_ABI, platform.signer);
  const spender = await platform.settlementEngine.getAddress();
  const current = (await erc20.getFunction("allowance")(platform.signer.address, spender)) as bigint;
  const wanted = additive ? (current + amount > ethers.MaxUint256 ? ethers.MaxUint256 : current + amount) : amount;
  if (current < wanted) await mined(erc20.getFunction("approve")(spender, wanted));
}

const isTokenLeg = (leg: Leg, ledger: string) =>
  leg.asset !== ethers.ZeroAddress && leg.asset.toLowerCase() !== ledger.toLowerCase();

/** What `account` pays in tokens across `terms`, by token. */
async function outflows(platform: Platform, account: string, terms: Terms[]): Promise<Map<string, bigint>> {
  const ledger = await platform.billLedger.getAddress();
  const out = new Map<string, bigint>();
  const add = (leg: Leg) => {
    if (!isTokenLeg(leg, ledger)) return;
    const token = ethers.getAddress(leg.asset);
    out.set(token, (out.get(token) ?? 0n) + leg.amount);
  };
  for (const t of terms) {
    if (t.maker.toLowerCase() === account.toLowerCase()) add(t.makerLeg);
    if (t.taker.toLowerCase() === account.toLowerCase()) add(t.takerLeg);
  }
  return out;
}

async function allowOutflows(platform: Platform, terms: Terms[], additive = false) {
  for (const [token, amount] of await outflows(platform, platform.signer.address, terms)) {
    await allowEngine(platform, token, amount, additive);
  }
}

// ---------------------------------------------------------------- views

export interface LegView {
  type: "bill" | "token" | "none";
  asset: string;
  billId?: bigint;
  start?: bigint;
  end?: bigint;
  /** Bill units (fen of face) or token amount (fen for the digital currency). */
  amount: bigint;
  text: string;
}

export interface TradeView {
  tradeId: string;
  kind: string;
  status: string;
  refundOwed: bigint;
  maker: string;
  taker: string;
  makerGives: LegView;
  takerGives: LegView;
  rate: string;
  valueDate: string;
  endDate?: string;
  closingAmount: bigint;
  deadline: string;
  nonce: bigint;
  terms: Terms;
}

export async function legView(platform: Platform, leg: Leg): Promise<LegView> {
  if (leg.asset === ethers.ZeroAddress) return { type: "none", asset: leg.asset, amount: 0n, text: "nothing" };
  if (leg.asset.toLowerCase() === (await platform.billLedger.getAddress()).toLowerCase()) {
    const end = leg.start + leg.amount - 1n;
    return {
      type: "bill",
      asset: leg.asset,
      billId: leg.billId,
      start: leg.start,
      end,
      amount: leg.amount,
      text: `bill ${leg.billId} units ${leg.start}..${end} (face CNY ${formatCny(leg.amount)})`,
    };
  }
  const currency = (await platform.digitalCurrency.getAddress()).toLowerCase();
  const text =
    leg.asset.toLowerCase() === currency ? `CNY ${formatCny(leg.amount)}` : `${leg.amount} of token ${leg.asset}`;
  return { type: "token", asset: leg.asset, amount: leg.amount, text };
}

/**
 * Where a trade stands at `blockTag` (default: the latest block), and any refund owed to its maker, from the
 * engine's `tradeOf(terms)`: a signed trade that is not a repo keeps no record, so "None" is "Settled" if its
 * `TradeSettled` event is there (`settledEvent`, when the caller has looked already), else "Unsettled".
 */
export async function tradeStatus(
  platform: Platform,
  tradeId: string,
  terms: Terms,
  options: { blockTag?: number; settledEvent?: boolean } = {},
): Promise<{ status: string; refundOwed: bigint }> {
  const engine = platform.settlementEngine;
  const { blockTag, settledEvent } = options;
  const [status, refundOwed] = await engine.tradeOf(terms, { blockTag });
  if (Number(status) !== TradeStatus.None) return { status: TradeStatus[Number(status)], refundOwed };
  const settled =
    settledEvent ?? (await engine.queryFilter(engine.filters.TradeSettled(tradeId), 0, blockTag)).length > 0;
  return { status: settled ? TradeStatus[TradeStatus.Settled] : "Unsettled", refundOwed };
}

async function tradeView(
  platform: Platform,
  tradeId: string,
  terms: Terms,
  settledEvent?: boolean,
): Promise<TradeView> {
  const { status, refundOwed } = await tradeStatus(platform, tradeId, terms, { settledEvent });
  return {
    tradeId,
    kind: TradeKind[terms.kind],
    status,
    refundOwed,
    maker: terms.maker,
    taker: terms.taker,
    makerGives: await legView(platform, terms.makerLeg),
    takerGives: await legView(platform, terms.takerLeg),
    rate: formatRate(terms.rate),
    valueDate: isoFromDay(terms.valueDay),
    endDate: terms.endDay === 0n ? undefined : isoFromDay(terms.endDay),
    closingAmount: terms.closingAmount,
    deadline: cstTime(terms.deadline),
    nonce: terms.nonce,
    terms,
  };
}

/** The rows a person reads about a trade. */
export function tradeRows(t: TradeView): { field: string; value: string }[] {
  const rows = [
    { field: "trade", value: t.tradeId },
    { field: "kind", value: t.kind },
    { field: "status", value: t.status },
    { field: "maker", value: t.maker },
    { field: "taker", value: t.taker },
    { field: "maker gives", value: t.makerGives.text },
    { field: "taker gives", value: t.takerGives.text },
    { field: "rate", value: t.rate },
    { field: "value date", value: t.valueDate },
  ];
  if (t.endDate !== undefined) rows.push({ field: "end date", value: t.endDate });
  if (t.closingAmount !== 0n) rows.push({ field: "closing (CNY)", value: formatCny(t.closingAmount) });
  rows.push({ field: "deadline", value: t.deadline });
  if (t.refundOwed !== 0n) rows.push({ field: "refund owed", value: formatCny(t.refundOwed) });
  if (t.terms.confidential !== ethers.ZeroHash) rows.push({ field: "sealed terms", value: t.terms.confidential });
  return rows;
}

export interface TradeDetails extends TradeView {
  history: HistoryEntry[];
}

/** A trade's terms (from its events), status, refund owed, and every event about it. */
export async function showTrade(platform: Platform, id: string): Promise<TradeDetails> {
  const tradeId = parseTradeId(id);
  const engine = platform.settlementEngine;
  const terms = await findTerms(engine, tradeId);
  const logs = await platform.signer.provider.getLogs({
    address: await engine.getAddress(),
    topics: [null, tradeId],
    fromBlock: 0,
  });
  const history = logs.flatMap((log) => {
    const parsed = engine.interface.parseLog(log);
    if (!parsed) return [];
    return [
      historyEntry(log, parsed, ["tradeId", "terms"], (name, value) =>
        name === "status" ? TradeStatus[Number(value)] : name === "kind" ? TradeKind[Number(value)] : String(value),
      ),
    ];
  });
  const settled = history.some((h) => h.event === "TradeSettled");
  return { ...(await tradeView(platform, tradeId, terms, settled)), history };
}

export interface TradeListing {
  tradeId: string;
  kind: string;
  status: string;
  signed: boolean;
  maker: string;
  taker: string;
  makerGives: string;
  takerGives: string;
  valueDate: string;
  block: number;
}

/** Every trade proposed or settled on the engine (where `account` is maker or taker, if given), oldest first. */
export async function listTrades(platform: Platform, account?: string): Promise<TradeListing[]> {
  const engine = platform.settlementEngine;
  const who = account === undefined ? undefined : ethers.getAddress(account);
  const proposed = who
    ? [
        ...(await engine.queryFilter(engine.filters.TradeProposed(undefined, who))),
        ...(await engine.queryFilter(engine.filters.TradeProposed(undefined, undefined, who))),
      ]
    : await engine.queryFilter(engine.filters.TradeProposed());
  const settled = who
    ? [
        ...(await engine.queryFilter(engine.filters.TradeSettled(undefined, who))),
        ...(await engine.queryFilter(engine.filters.TradeSettled(undefined, undefined, who))),
      ]
    : await engine.queryFilter(engine.filters.TradeSettled());
  const found = new Map<string, { terms: Terms; block: number; signed: boolean; settled: boolean }>();
  for (const e of proposed) {
    const id = e.args.tradeId.toLowerCase();
    if (!found.has(id))
      found.set(id, { terms: termsFromResult(e.args.terms), block: e.blockNumber, signed: false, settled: false });
  }
  for (const e of settled) {
    const id = e.args.tradeId.toLowerCase();
    const known = found.get(id);
    if (known) known.settled = true;
    else
      found.set(id, {
        terms: termsFromResult(e.args.terms),
        block: e.blockNumber,
        signed: e.args.signed,
        settled: true,
      });
  }
  const rows: TradeListing[] = [];
  for (const [tradeId, t] of [...found].sort((a, b) => a[1].block - b[1].block)) {
    const { status } = await tradeStatus(platform, tradeId, t.terms, { settledEvent: t.settled });
    rows.push({
      tradeId,
      kind: TradeKind[t.terms.kind],
      status,
      signed: t.signed,
      maker: t.terms.maker,
      taker: t.terms.taker,
      makerGives: (await legView(platform, t.terms.makerLeg)).text,
      takerGives: (await legView(platform, t.terms.takerLeg)).text,
      valueDate: isoFromDay(t.terms.valueDay),
      block: t.block,
    });
  }
  return rows;
}

// ---------------------------------------------------------------- acts

export interface ActResult {
  tradeId: string;
  status: string;
  tx?: string;
}

/**
 * The maker proposes the terms the options describe (approving its cash leg for the engine first). With
 * confidential terms, the proposal is checked first, then the envelope is posted, then the proposal sent.
 */
export async function proposeTrade(
  platform: Platform,
  options: TermsOptions,
): Promise<TradeView & { tx?: string; envelopeTx?: string }> {
  if (options.maker !== undefined) throw new Error("the acting wallet proposes as the maker: leave out --maker");
  const terms = await buildTerms(platform, options);
  const sealed = await sealTerms(platform, options, terms);
  await allowOutflows(platform, [terms]);
  let envelopeTx: string | undefined;
  if (sealed) {
    await platform.settlementEngine.propose.staticCall(terms);
    envelopeTx = await postSealed(platform, sealed);
  }
  const receipt = (await mined(platform.settlementEngine.propose(terms))) as { hash?: string } | null;
  const tradeId = await tradeIdOf(platform.settlementEngine, terms);
  return { ...(await tradeView(platform, tradeId, terms)), tx: receipt?.hash, envelopeTx };
}

export type TradeAct = "accept" | "reject" | "withdraw" | "clear" | "reclaim" | "closeRepo" | "defaultRepo";

/** One act on a trade found by its id: the terms come from its events; the payer's allowance is raised first. */
export async function actOnTrade(platform: Platform, id: string, act: TradeAct): Promise<ActResult> {
  const tradeId = parseTradeId(id);
  const engine = platform.settlementEngine;
  const terms = await findTerms(engine, tradeId);
  const me = platform.signer.address.toLowerCase();
  if (act === "accept" && terms.taker.toLowerCase() === me) await allowOutflows(platform, [terms]);
  if (act === "closeRepo") {
    const ledger = (await platform.billLedger.getAddress()).toLowerCase();
    const makerBill = terms.makerLeg.asset.toLowerCase() === ledger;
    const [borrower, cashLeg] = makerBill ? [terms.maker, terms.takerLeg] : [terms.taker, terms.makerLeg];
    if (borrower.toLowerCase() === me) await allowEngine(platform, cashLeg.asset, terms.closingAmount);
  }
  const receipt = (await mined(engine[act](terms))) as { hash?: string } | null;
  return { tradeId, status: (await tradeStatus(platform, tradeId, terms)).status, tx: receipt?.hash };
}

/** The taker accepts several proposals at once, all or none. */
export async function acceptBatch(platform: Platform, ids: string[]) {
  const tradeIds = ids.map(parseTradeId);
  const terms = await Promise.all(tradeIds.map((id) => findTerms(platform.settlementEngine, id)));
  await allowOutflows(platform, terms);
  const receipt = (await mined(platform.settlementEngine.acceptBatch(terms))) as { hash?: string } | null;
  return { tradeIds, tx: receipt?.hash };
}

// ---------------------------------------------------------------- signed orders

export function readOrder(file: string): SignedOrder {
  if (!fs.existsSync(file)) throw new Error(`no order file ${file}`);
  return orderFromJson(fs.readFileSync(file, "utf8"), file);
}

/**
 * Refuses an order whose signature does not sign its terms for the party it stands for (the terms were edited
 * after signing, or another wallet signed), before anything is sent. A contract wallet's signature (ERC-1271) is
 * left to the engine.
 */
export async function checkOrderSignatures(platform: Platform, order: SignedOrder, source: string): Promise<void> {
  const domain = await engineDomain(platform.settlementEngine);
  const parties: ["maker" | "taker", string, string][] = [
    ["maker", order.terms.maker, order.makerSignature],
    ["taker", order.terms.taker, order.takerSignature],
  ];
  for (const [role, party, signature] of parties) {
    if (signature === "0x" || (await platform.signer.provider.getCode(party)) !== "0x") continue;
    let signer: string;
    try {
      signer = ethers.verifyTypedData(domain, TERMS_TYPES, order.terms, signature);
    } catch {
      throw new Error(`${source}: the ${role}'s signature is not a signature (65 bytes of hex)`);
    }
    if (signer !== ethers.getAddress(party)) {
      throw new Error(
        `${source}: the ${role}'s signature does not match the order's terms and ${role} ${party} ` +
          `(it recovers to ${signer}): the terms were changed after signing, or another wallet signed`,
      );
    }
  }
}

/** An order file, read field by field and its signatures checked (`readOrder`, `checkOrderSignatures`). */
export async function loadOrder(platform: Platform, file: string): Promise<SignedOrder> {
  const order = readOrder(file);
  await checkOrderSignatures(platform, order, file);
  return order;
}

/**
 * The bill of the maker's bill leg, for the taker to read before it signs or accepts: the trade from an order file,
 * or from a live proposal's id; the bill read from the ledger, where every bill is public.
 */
export async function offeredBill(platform: Platform, options: { id?: string; order?: string }): Promise<BillTerms> {
  if ((options.id === undefined) === (options.order === undefined)) {
    throw new Error("give --order (an order file) or --id (a live proposal)");
  }
  const { terms } =
    options.order !== undefined
      ? await loadOrder(platform, options.order)
      : { terms: await findTerms(platform.settlementEngine, parseTradeId(options.id!)) };
  const leg = terms.makerLeg;
  if (leg.asset.toLowerCase() !== (await platform.billLedger.getAddress()).toLowerCase()) {
    throw new Error(`the maker delivers no bill in this trade (it gives ${(await legView(platform, leg)).text})`);
  }
  return billTermsOf(leg.billId, await platform.billLedger.bill(leg.billId));
}

export interface SignResult {
  tradeId: string;
  file: string;
  signedAs: "maker" | "taker";
  makerSigned: boolean;
  takerSigned: boolean;
  trade: TradeView;
  /** The transaction that posted the order's sealed envelope, if `--confidential` was given. */
  envelopeTx?: string;
}

/**
 * Signs an order as the acting wallet, in the maker's or the taker's slot: new terms from the options, or the
 * order in `orderFile` (the counterparty's signature added). Raises the signer's allowance for the engine by its
 * cash leg, so that the order can settle with others of its orders in a batch. Writes the order to `out`.
 */
export async function signOrder(
  platform: Platform,
  options: TermsOptions | undefined,
  orderFile: string | undefined,
  out: string | undefined,
): Promise<SignResult> {
  let order: SignedOrder;
  let sealed: SealedForBoard | undefined;
  if (orderFile !== undefined) order = await loadOrder(platform, orderFile);
  else if (options !== undefined) {
    order = { terms: await buildTerms(platform, options), makerSignature: "0x", takerSignature: "0x" };
    sealed = await sealTerms(platform, options, order.terms);
  } else throw new Error("give the terms, or --order to sign an order file");
  const file = out ?? orderFile;
  if (file === undefined) throw new Error("give the file to write the signed order to with --out");
  const me = platform.signer.address.toLowerCase();
  const { terms } = order;
  let signedAs: "maker" | "taker";
  if (terms.maker.toLowerCase() === me) signedAs = "maker";
  else if (terms.taker.toLowerCase() === me) signedAs = "taker";
  else throw new Error(`the acting wallet ${platform.signer.address} is neither the maker nor the taker of this order`);
  const slot = signedAs === "maker" ? "makerSignature" : "takerSignature";
  const wasSigned = order[slot] !== "0x";
  order[slot] = await signTerms(platform.settlementEngine, platform.signer, terms);
  if (!wasSigned) await allowOutflows(platform, [terms], true);
  const envelopeTx = sealed ? await postSealed(platform, sealed) : undefined;
  fs.writeFileSync(file, orderToJson(order) + "\n");
  const tradeId = await tradeIdOf(platform.settlementEngine, terms);
  return {
    tradeId,
    file,
    signedAs,
    makerSigned: order.makerSignature !== "0x",
    takerSigned: order.takerSignature !== "0x",
    trade: await tradeView(platform, tradeId, terms),
    envelopeTx,
  };
}

/** Submits a signed order (as its maker, its taker or a settlement agent). */
export async function settleOrder(platform: Platform, file: string): Promise<ActResult> {
  const order = await loadOrder(platform, file);
  await allowOutflows(platform, [order.terms]);
  const receipt = (await mined(platform.settlementEngine.settle(order))) as { hash?: string } | null;
  const tradeId = await tradeIdOf(platform.settlementEngine, order.terms);
  return { tradeId, status: (await tradeStatus(platform, tradeId, order.terms)).status, tx: receipt?.hash };
}

/** Settles several signed orders all or none, their token legs netted. */
export async function settleBatch(platform: Platform, files: string[]) {
  const orders = await Promise.all(files.map((file) => loadOrder(platform, file)));
  await allowOutflows(
    platform,
    orders.map((o) => o.terms),
  );
  const receipt = (await mined(platform.settlementEngine.settleBatch(orders))) as { hash?: string } | null;
  const tradeIds = await Promise.all(orders.map((o) => tradeIdOf(platform.settlementEngine, o.terms)));
  return { tradeIds, tx: receipt?.hash };
}

// ---------------------------------------------------------------- quotes

export interface DiscountQuote {
  kind: "discount";
  billId: bigint;
  units: bigint;
  rate: string;
  valueDate: string;
  maturityDate: string;
  rolledMaturityDate: string;
  days: bigint;
  interest: bigint;
  proceeds: bigint;
}

export interface RepoQuote {
  kind: "repo";
  principal: bigint;
  rate: string;
  valueDate: string;
  endDate: string;
  days: bigint;
  interest: bigint;
  repayment: bigint;
}

/** What a discount of `units` of a bill pays on a value date (the engine's own view); sends nothing. */
export async function quoteDiscount(
  platform: Platform,
  options: { bill: string; start?: string; units?: string; rate: string; valueDate?: string },
): Promise<DiscountQuote> {
  const billId = parseCount(options.bill, "--bill");
  const rate = parseRate(options.rate);
  const terms = await platform.billLedger.bill(billId);
  // The units quoted come from the range at --start, or from the whole bill (units 1 to its face).
  let held = terms.face;
  let where = `bill ${billId} holds (${terms.face} units, its face)`;
  if (options.start !== undefined) {
    const start = parseCount(options.start, "--start");
    held = (await platform.billLedger.rangeAt(billId, start)).end - start + 1n;
    where = `the range of bill ${billId} from unit ${start} holds (${held} units)`;
  }
  const units = options.units !== undefined ? parseCount(options.units, "--units") : held;
  if (units > held) throw new Error(`--units ${units} is more than ${where}`);
  const valueDay = BigInt(
    options.valueDate !== undefined ? dayFromIso(options.valueDate) : cstDayOf(await chainNow(platform)),
  );
  refuseValueDayBeforeIssue(valueDay, billId, terms.issueDay);
  const [proceeds, days] = await platform.settlementEngine.discountProceeds(billId, units, rate, valueDay);
  const rolled = await platform.businessCalendar.rollForward(terms.maturityDay);
  return {
    kind: "discount",
    billId,
    units,
    rate: formatRate(rate),
    valueDate: isoFromDay(valueDay),
    maturityDate: isoFromDay(terms.maturityDay),
    rolledMaturityDate: isoFromDay(rolled),
    days,
    interest: units - proceeds,
    proceeds,
  };
}

/** What a pledge-repo borrower repays on `principal` from the value date to the end date; sends nothing. */
export async function quoteRepo(
  platform: Platform,
  options: { principal: string; rate: string; valueDate?: string; endDate: string },
): Promise<RepoQuote> {
  const principal = parseCny(options.principal, "--principal");
  const rate = parseRate(options.rate);
  const valueDay = BigInt(
    options.valueDate !== undefined ? dayFromIso(options.valueDate) : cstDayOf(await chainNow(platform)),
  );
  const endDay = BigInt(dayFromIso(options.endDate));
  const repayment = await platform.settlementEngine.repoRepayment(principal, rate, valueDay, endDay);
  return {
    kind: "repo",
    principal,
    rate: formatRate(rate),
    valueDate: isoFromDay(valueDay),
    endDate: isoFromDay(endDay),
    days: endDay > valueDay ? endDay - valueDay : 0n,
    interest: repayment - principal,
    repayment,
  };
}
