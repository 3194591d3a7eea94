/*
 * The whole platform against one model (test/property/platformModel.ts), over random sequences of acts by random
 * actors (fast-check): the identity registry, the digital currency, a listed foreign token, the bill ledger,
 * BillPayments and the SettlementEngine together, from the scene of test/fixtures/platformScene.ts (eight bills in
 * every stage of life, liability chains, dishonoured ranges, a pending claim, open repos and proposals), restored by
 * loadFixture for every sequence.
 *
 * Acts (each names its range, trade or party by a pick resolved against the model when it runs, so most acts hit
 * something in the state they need and some deliberately do not):
 *  - engine: propose / accept / acceptBatch / reject / withdraw / clear / reclaim of discounts, rediscounts,
 *    central-bank rediscounts, outright sales, free-of-payment transfers, swaps (bill for cash or for the foreign
 *    token, bill for bill, cash for token) and pledge and outright repos; the same as signed orders (settle, by a
 *    party or the agent); netted batches of signed orders (opposite cash legs between two parties); closeRepo and
 *    defaultRepo; pause, unpause; list and delist the foreign token;
 *  - ledger: presentForAcceptance and presentForReceipt, endorse (with and without the endorser's not-transferable
 *    mark, now and then to the endorser's own entity), pledge, requestGuarantee, sign / reject / withdraw / clear,
 *    releasePledge, freeze (part or whole) and unfreeze of ranges, pause, unpause, the acceptor's bankruptcy flag;
 *  - payments: presentForPayment, pay, dishonour, declareDishonoured, dishonourForBankruptcy, claimRecourse (against
 *    any wallet, liable or not), payRecourse (re-recourse included: a payer claims again), withdrawClaim;
 *  - currency and registry: freeze and unfreeze of accounts (the engine's too) and amounts, pause, unpause, mint,
 *    approve (revoke, lower, raise) by wallets whatever their standing; KYC suspension, reinstatement, revocation
 *    and expiry (renewal to a near date) of every entity, mid-trade;
 *  - time: a few seconds or hours, the next day, or to one second before / at / after a proposal's deadline, a
 *    repo's closing time, a bill's maturity, its presentation period's end, an acceptor's answer deadline, an
 *    application's deadline or an entity's expiry.
 * The model predicts whether each act succeeds and, outside the rules below, the custom error it is refused with
 * (a refused act is run as an eth_call at the next block's time, and changes nothing); a successful act is mined and
 * the chain must then equal the model.
 *
 * Checked after every step that changed something: every bill the act named or the model says changed is read
 * whole (rangeAt from unit 1, following each range's end + 1 as rangesOfBill does): its ranges tile 1..face (no
 * gap, no overlap), no unit is held by the zero address or an unknown wallet, and every range equals the model
 * (end, holder, state, prior state, pending act, mark, deadline, counterparty, liability-chain commitment);
 * whoever received a range is verified; after every act that can move money, all balances of the currency (and of
 * the foreign token when a leg is in it), the engine's and the payments contract's included, sum to the total
 * supply and equal the model, and the engine holds exactly escrowed() of each; the trades, presentment, claim and
 * standing (KYC, freeze, allowance, pause, bankruptcy, listing) the act touched equal the model; a range of the
 * not-transferable bill changes holder only by recourse payment and is never pledged. A refused act changes nothing
 * by construction (it is an eth_call). At the end of each sequence every bill, presentment, claim, trade and
 * balance is read again (with FC_LONG, every freeze, allowance, pause and standing too). Acts are sent as raw
 * JSON-RPC requests (eth_sendTransaction, eth_call) and views read the same way: through ethers' contract objects
 * and the chai matchers a sequence costs several times as much.
 *
 * The rules the model holds the contracts to (SECURITY-CHECKLIST 39-42 and the review's findings):
 *  1. a bill the drawer marked not transferable never changes holder or gets pledged through any path (endorse,
 *     pledge, any engine trade or repo); escrow in place and releases may happen; recourse payment is no transfer;
 *  2. a repo borrower that tenders the repayment before the deadline never loses the range by default (the repo is
 *     RepoTendered until its range can come back; a repayment the lender cannot take is kept for its reclaim); a
 *     default respects pauses and freezes; a repo whose lender is unverified can be closed after its deadline;
 *  3. an acceptor (its entity) holding its own bill has no recourse; its presentment settles the bill;
 *  4. from the end of the presentation period a holder keeps recourse only against the drawer and the acceptor,
 *     whichever way the range was dishonoured (bankruptcy included);
 *  5. liability and party rules compare entities, not wallets (X, Y and bank A have two wallets each);
 *  6. an endorser's not-transferable mark frees it only from the parties after its direct endorsee;
 *  7. acceptance and receipt are neither applied for nor signed on or after maturity;
 *  8. lowering or revoking an allowance always works; a netted batch checks every payer for freeze, KYC and pause;
 *  9. the engine's currency account cannot be frozen; a frozen maker's escrowed money is not delivered.
 * Where a rule decides an act the model predicts the outcome but not the error's name.
 *
 * Environment:
 *  - FC_LONG=1: 5,000 sequences of up to 20 acts (default: 200 of up to 14); FC_RUNS overrides the count, FC_SEED
 *    and FC_PATH replay a reported failure;
 *  - PLATFORM_EXCLUDE=act,act: act kinds never generated (e.g. settleBatch,claim);
 *  - PLATFORM_BASE_RULES=1,5,2b (or "all"): model those rules (or parts of a rule: 2a lender unable to receive,
 *    2b default while frozen or paused, 3a presentment, 3b recourse, 5a party rules, 5b liability, 7a applying, 7b
 *    signing, 8a allowances, 8b netted batches) as the contracts on this branch implement them instead, to check the
 *    rest of the model while a rule is being fixed;
 *  - PLATFORM_STATS=1: print how often each act kind was carried out, refused (by which error) or skipped, and
 *    where the time went.
 */
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Interface } from "ethers";
import { Act as LedgerAct, RangeState, cstDayOf, startOfCstDay } from "../../tasks/lib/bills";
import { EntityStatus, entityIdOf } from "../../tasks/lib/identity";
import {
  EMPTY_LEG,
  TERMS_TYPES,
  TradeKind,
  TradeStatus,
  billLeg,
  discountProceeds,
  repoRepayment,
  rollForward,
  tokenLeg,
  type Leg,
  type Terms,
} from "../../tasks/lib/dvp";
import { CODES } from "../fixtures/platform";
import { ENTERPRISE_Z_CODE, FINANCE_CO_CODE } from "../fixtures/bills";
import { ENTERPRISE_W_CODE, platformScene, type PlatformScene } from "../fixtures/platformScene";
import * as M from "./platformModel";
import { jsonText } from "./harness";
import {
  ENTERPRISES,
  ENTITIES,
  ENTITY_OF,
  HOLDERS,
  INSTITUTIONS,
  LENDERS,
  PROVIDER_OF,
  Refused,
  Sim,
  WALLETS,
  type Actor,
  type BillModel,
  type Entity,
  type Holder,
  type KycChange,
  type Model,
  type RangeModel,
  type WalletName,
  type World,
} from "./platformModel";

const LONG = Boolean(process.env.FC_LONG);
const RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : LONG ? 5_000 : 200;
const MAX_ACTS = LONG ? 20 : 14;
const GAS = "0x5b8d80";
const EXCLUDED = new Set((process.env.PLATFORM_EXCLUDE ?? "").split(",").filter((x) => x !== ""));
const BASE_RULES: ReadonlySet<string> = new Set(
  process.env.PLATFORM_BASE_RULES === "all"
    ? ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
    : (process.env.PLATFORM_BASE_RULES ?? "").split(",").filter((x) => x !== ""),
);

const ENTITY_CODE: Record<Entity, string> = {
  X: CODES.enterpriseX,
  Y: CODES.enterpriseY,
  Z: ENTERPRISE_Z_CODE,
  W: ENTERPRISE_W_CODE,
  A: CODES.bankA,
  B: CODES.bankB,
  F: FINANCE_CO_CODE,
  C: CODES.centralBank,
  R: CODES.regulator,
};
const ACCEPTORS: readonly WalletName[] = ["A", "B", "F", "Z"];
/** Who may be named as a wrong caller. */
const CALLERS: readonly Actor[] = [...WALLETS, "regulator", "outsider"];

// ---------------------------------------------------------------------------------------------------------------
// Acts, as generated

type Who = { right: true } | { right: false; other: number };
type Amount = "whole" | "one" | { frac: number };
type SwapShape = "billCash" | "billToken" | "billBill" | "cashToken";

interface TradeSpec {
  kind: TradeKind;
  shape: SwapShape;
  seller: number;
  buyer: number;
  ownEntity: boolean;
  sellerMakes: boolean;
  range: number;
  range2: number;
  amount: Amount;
  rate: bigint;
  price: bigint;
  tweak: bigint;
  foreign: boolean;
  window: number;
  repoDays: number;
  valueOffset: number;
  wrongParty: boolean;
}

type ActKind =
  | "propose"
  | "accept"
  | "acceptBatch"
  | "reject"
  | "withdraw"
  | "clear"
  | "reclaim"
  | "settle"
  | "settleBatch"
  | "closeRepo"
  | "defaultRepo"
  | "endorse"
  | "pledge"
  | "guarantee"
  | "sign"
  | "rejectApp"
  | "withdrawApp"
  | "clearApp"
  | "releasePledge"
  | "presentAcceptance"
  | "presentReceipt"
  | "freezeRange"
  | "unfreezeRange"
  | "present"
  | "pay"
  | "dishonour"
  | "declare"
  | "bankruptDishonour"
  | "claim"
  | "payRecourse"
  | "withdrawClaim"
  | "kyc"
  | "freezeAccount"
  | "freezeAmount"
  | "pause"
  | "bankrupt"
  | "approve"
  | "list"
  | "mint"
  | "advance";

interface Act {
  k: ActKind;
  pick: number;
  pick2: number;
  who: Who;
  amount: Amount;
  flag: boolean;
  n: number;
  value: bigint;
  spec: TradeSpec;
  specs: TradeSpec[];
  how:
    | "by"
    | "hours"
    | "nextDay"
    | "deadline"
    | "repoEnd"
    | "maturity"
    | "presentationEnd"
    | "answerBy"
    | "appDeadline"
    | "expiry";
  delta: bigint;
  change: KycChange;
}

const weighted = <T>(...pairs: [fc.Arbitrary<T>, number][]) =>
  fc.oneof(...pairs.map(([arbitrary, weight]) => ({ arbitrary, weight })));

const who: fc.Arbitrary<Who> = weighted<Who>(
  [fc.constant({ right: true } as const), 8],
  [fc.nat().map((other) => ({ right: false, other }) as const), 1],
);
const amount: fc.Arbitrary<Amount> = weighted<Amount>(
  [fc.constant("whole" as const), 4],
  [fc.double({ min: 0.05, max: 0.95, noNaN: true }).map((frac) => ({ frac })), 4],
  [fc.constant("one" as const), 1],
);
const tradeSpec: fc.Arbitrary<TradeSpec> = fc.record({
  kind: weighted<TradeKind>(
    [fc.constant(TradeKind.Discount), 3],
    [fc.constant(TradeKind.Rediscount), 3],
    [fc.constant(TradeKind.CentralBankRediscount), 1],
    [fc.constant(TradeKind.OutrightSale), 2],
    [fc.constant(TradeKind.FreeOfPayment), 1],
    [fc.constant(TradeKind.Swap), 2],
    [fc.constant(TradeKind.PledgeRepo), 3],
    [fc.constant(TradeKind.OutrightRepo), 2],
  ),
  shape: fc.constantFrom<SwapShape>("billCash", "billToken", "billBill", "cashToken"),
  seller: fc.nat(),
  buyer: fc.nat(),
  ownEntity: weighted([fc.constant(false), 9], [fc.constant(true), 1]),
  sellerMakes: fc.boolean(),
  range: fc.nat(),
  range2: fc.nat(),
  amount,
  rate: fc.bigInt(1_000n, 120_000n),
  price: fc.bigInt(1n, 500_000n),
  tweak: weighted([fc.constant(0n), 14], [fc.constantFrom(-1n, 1n), 1]),
  foreign: weighted([fc.constant(false), 4], [fc.constant(true), 1]),
  window: fc.integer({ min: 30, max: 7_200 }),
  repoDays: fc.integer({ min: 1, max: 5 }),
  valueOffset: weighted([fc.constant(0), 24], [fc.constantFrom(-1, 1), 1]),
  wrongParty: weighted([fc.constant(false), 14], [fc.constant(true), 1]),
});

const ACT_WEIGHTS: [ActKind, number][] = [
  ["propose", 6],
  ["accept", 5],
  ["acceptBatch", 1],
  ["reject", 1],
  ["withdraw", 1],
  ["clear", 1],
  ["reclaim", 1],
  ["settle", 5],
  ["settleBatch", 2],
  ["closeRepo", 3],
  ["defaultRepo", 2],
  ["endorse", 2],
  ["pledge", 1],
  ["guarantee", 1],
  ["sign", 3],
  ["rejectApp", 1],
  ["withdrawApp", 1],
  ["clearApp", 1],
  ["releasePledge", 1],
  ["presentAcceptance", 1],
  ["presentReceipt", 1],
  ["freezeRange", 2],
  ["unfreezeRange", 1],
  ["present", 3],
  ["pay", 2],
  ["dishonour", 2],
  ["declare", 1],
  ["bankruptDishonour", 2],
  ["claim", 5],
  ["payRecourse", 3],
  ["withdrawClaim", 1],
  ["kyc", 3],
  ["freezeAccount", 2],
  ["freezeAmount", 1],
  ["pause", 2],
  ["bankrupt", 1],
  ["approve", 2],
  ["list", 1],
  ["mint", 1],
  ["advance", 6],
];

const FIELDS = {
  pick: fc.nat(),
  pick2: fc.nat(),
  who,
  amount,
  flag: fc.boolean(),
  n: fc.integer({ min: 1, max: 3 }),
  value: fc.bigInt(1n, 2_000_000n),
  spec: tradeSpec,
  specs: fc.array(tradeSpec, { minLength: 2, maxLength: 2 }),
  how: weighted<Act["how"]>(
    [fc.constantFrom<Act["how"]>("by", "hours", "nextDay", "deadline", "maturity", "presentationEnd", "expiry"), 7],
    [fc.constant<Act["how"]>("repoEnd"), 2],
    [fc.constantFrom<Act["how"]>("answerBy", "appDeadline"), 1],
  ),
  delta: fc.constantFrom(-1n, 0n, 1n),
  change: weighted<KycChange>(
    [fc.constant("suspend" as const), 3],
    [fc.constant("reinstate" as const), 2],
    [fc.constant("expireSoon" as const), 2],
    [fc.constant("renew" as const), 1],
    [fc.constant("revoke" as const), 1],
  ),
};
type Field = keyof typeof FIELDS;

/** The fields each act kind uses (the others take DEFAULT_ACT's values): counterexamples show only these. */
const ACT_FIELDS: Record<ActKind, Field[]> = {
  propose: ["spec", "who"],
  settle: ["spec", "who", "pick"],
  settleBatch: ["spec", "specs", "flag", "n", "pick", "pick2"],
  accept: ["pick", "who"],
  reject: ["pick", "who"],
  withdraw: ["pick", "who"],
  clear: ["pick", "who"],
  reclaim: ["pick", "who"],
  closeRepo: ["pick", "who"],
  defaultRepo: ["pick", "who"],
  acceptBatch: ["pick", "n"],
  endorse: ["pick", "pick2", "who", "amount", "flag"],
  pledge: ["pick", "pick2", "who", "amount"],
  guarantee: ["pick", "pick2", "who", "amount"],
  sign: ["pick", "who"],
  rejectApp: ["pick", "who"],
  withdrawApp: ["pick", "who"],
  clearApp: ["pick", "who"],
  releasePledge: ["pick", "who"],
  presentAcceptance: ["pick", "who"],
  presentReceipt: ["pick", "who"],
  freezeRange: ["pick", "who", "amount"],
  unfreezeRange: ["pick", "who"],
  present: ["pick", "who"],
  declare: ["pick", "who"],
  bankruptDishonour: ["pick", "who"],
  claim: ["pick", "pick2", "who"],
  withdrawClaim: ["pick", "who"],
  pay: ["pick", "who"],
  dishonour: ["pick", "pick2", "who"],
  payRecourse: ["pick", "who"],
  kyc: ["pick", "flag", "change", "value"],
  freezeAccount: ["pick", "who"],
  freezeAmount: ["pick", "pick2", "who", "flag", "value"],
  pause: ["pick", "who"],
  bankrupt: ["pick"],
  approve: ["pick", "pick2", "flag", "value"],
  list: [],
  mint: ["pick", "value"],
  advance: ["how", "pick", "delta", "value"],
};

const DEFAULT_SPEC: TradeSpec = {
  kind: TradeKind.Discount,
  shape: "billCash",
  seller: 0,
  buyer: 0,
  ownEntity: false,
  sellerMakes: true,
  range: 0,
  range2: 0,
  amount: "whole",
  rate: 20_000n,
  price: 1_000n,
  tweak: 0n,
  foreign: false,
  window: 3_600,
  repoDays: 2,
  valueOffset: 0,
  wrongParty: false,
};
const DEFAULT_ACT: Act = {
  k: "advance",
  pick: 0,
  pick2: 0,
  who: { right: true },
  amount: "whole",
  flag: false,
  n: 1,
  value: 1n,
  spec: DEFAULT_SPEC,
  specs: [DEFAULT_SPEC, DEFAULT_SPEC],
  how: "by",
  delta: 0n,
  change: "suspend",
};

const ACT: fc.Arbitrary<Partial<Act> & { k: ActKind }> = weighted(
  ...ACT_WEIGHTS.filter(([k]) => !EXCLUDED.has(k)).map(
    ([k, weight]) =>
      [
        fc.record({
          k: fc.constant(k),
          ...Object.fromEntries(ACT_FIELDS[k].map((f) => [f, FIELDS[f]])),
        }) as fc.Arbitrary<Partial<Act> & { k: ActKind }>,
        weight,
      ] as [fc.Arbitrary<Partial<Act> & { k: ActKind }>, number],
  ),
);

// ---------------------------------------------------------------------------------------------------------------
// The chain

interface Contracts {
  scene: PlatformScene;
  iface: Record<"ledger" | "payments" | "engine" | "currency" | "registry" | "token", Interface>;
  errors: Map<string, string>;
}

interface ChainRange {
  start: bigint;
  end: bigint;
  holder: string;
  state: number;
  priorState: number;
  pendingAct: number;
  noRecourse: boolean;
  deadline: bigint;
  counterparty: string;
  chain: bigint;
}

async function rpc<T>(method: string, params: unknown[]): Promise<T> {
  return (await hre.network.provider.request({ method, params })) as T;
}

async function call(c: Contracts, contract: keyof Contracts["iface"], to: string, fn: string, args: unknown[]) {
  const data = c.iface[contract].encodeFunctionData(fn, args);
  return rpc<string>("eth_call", [{ to, data }, "latest"]);
}

const word = (hex: string, i: number) => BigInt(`0x${hex.slice(2 + i * 64, 2 + (i + 1) * 64)}`);
const addressWord = (hex: string, i: number) =>
  hre.ethers.getAddress(`0x${hex.slice(2 + i * 64 + 24, 2 + (i + 1) * 64)}`);

function decodeRange(hex: string, b: number): ChainRange {
  return {
    start: word(hex, b + 1),
    end: word(hex, b + 2),
    holder: addressWord(hex, b + 3),
    state: Number(word(hex, b + 4)),
    priorState: Number(word(hex, b + 5)),
    pendingAct: Number(word(hex, b + 6)),
    noRecourse: word(hex, b + 7) !== 0n,
    deadline: word(hex, b + 8),
    counterparty: addressWord(hex, b + 9),
    chain: word(hex, b + 10),
  };
}

/**
 * The ranges of a bill as the ledger links them: from unit 1, each range's successor starts at its end + 1, up to
 * the face (rangesOfBill walks the same links; one rangeAt per range costs a fraction of it in the in-process EVM).
 */
async function readBill(c: Contracts, w: World, billId: bigint, face: bigint): Promise<ChainRange[]> {
  const ranges: ChainRange[] = [];
  for (let start = 1n; start <= face;) {
    expect(ranges.length, `bill ${billId}: fewer ranges than units`).to.be.lessThan(10_000);
    let hex: string;
    try {
      hex = await call(c, "ledger", w.ledger, "rangeAt", [billId, start]);
    } catch (e) {
      throw new Error(`bill ${billId}: no range starts at ${start} (${errorName(c, e)}): a gap in the bill's units`, {
        cause: e,
      });
    }
    const r = decodeRange(hex, 0);
    expect(r.start, `bill ${billId}: rangeAt(${start}).start`).to.equal(start);
    ranges.push(r);
    start = r.end + 1n;
  }
  return ranges;
}

/** The same ranges through rangesOfBill, in one page. */
async function readBillPage(c: Contracts, w: World, billId: bigint): Promise<ChainRange[]> {
  const hex = await call(c, "ledger", w.ledger, "rangesOfBill", [billId, 1n, 1_000n]);
  expect(word(hex, 1), `bill ${billId}: rangesOfBill lists every range in one page`).to.equal(0n);
  return Array.from({ length: Number(word(hex, 2)) }, (_, i) => decodeRange(hex, 3 + i * 11));
}

/** The revert data of a failed call or transaction, decoded to its error's name. */
function errorName(c: Contracts, e: unknown): string {
  const err = e as { data?: unknown; error?: { data?: unknown }; message?: string };
  const raw = err.data ?? err.error?.data;
  const data =
    typeof raw === "string"
      ? raw
      : typeof raw === "object" && raw !== null
        ? (raw as { data?: string }).data
        : undefined;
  if (typeof data !== "string") return `(no revert data: ${err.message ?? String(e)})`;
  if (data === "0x") return "(empty revert)";
  return c.errors.get(data.slice(0, 10)) ?? `(unknown error ${data.slice(0, 10)})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Plans: an act resolved against the model

interface Plan {
  label: string;
  /** What kind of trade an engine act is about (for PLATFORM_STATS). */
  tag?: string;
  /** Simulates the act on a copy of the model. */
  sim?: (s: Sim) => void;
  tx?: { from: Actor; to: string; data: string };
  /** A time advance: mines an empty block at this time. */
  advanceTo?: bigint;
  /** Bills, trades and ranges to read back after the act, besides those the model says changed. */
  bills?: bigint[];
  trades?: string[];
  range?: { billId: bigint; start: bigint };
  /** Which money the act may move: the currency, or the currency and the foreign token (engine acts). */
  money?: "cash" | "both";
  standing?: () => Promise<void>;
}

interface Run {
  c: Contracts;
  w: World;
  m: Model;
  log: string[];
  /** The chain's ranges of each bill as last read. */
  last: Map<bigint, ChainRange[]>;
  /** Terms of every trade the sequence named, by id. */
  terms: Map<string, Terms>;
  /** "billId/start" of the ranges the latest successful acts changed, the latest first. */
  recent: string[];
}

const actorAddress = (w: World, a: Actor) => w.address[a];
const pickOf = <T>(pool: readonly T[], n: number): T | undefined =>
  pool.length === 0 ? undefined : pool[n % pool.length];

function callerOf(who: Who, entitled: Actor): Actor {
  if (who.right) return entitled;
  // A wrong caller: anyone but the entitled party's entity.
  const pool = CALLERS.filter(
    (a) =>
      a !== entitled &&
      !(a in ENTITY_OF && entitled in ENTITY_OF && ENTITY_OF[a as WalletName] === ENTITY_OF[entitled as WalletName]),
  );
  return pool[who.other % pool.length];
}

/** A range's counterparty as an actor that can send (the engine cannot: an outsider stands in). */
const asActor = (p: M.Party | null): Actor => (p === null || p === "engine" ? "outsider" : p);

function allRanges(m: Model): { bill: BillModel; r: RangeModel }[] {
  return m.bills.flatMap((bill) => bill.ranges.map((r) => ({ bill, r })));
}

/** A range among those `want` prefers (any range if none is). */
/**
 * A range among those `want` prefers; if none is, now and then any range (the act is then refused), else none
 * (the act is skipped).
 */
function pickRange(
  run: Run,
  n: number,
  want: (bill: BillModel, r: RangeModel) => boolean,
  interesting?: (bill: BillModel, r: RangeModel) => boolean,
) {
  const all = allRanges(run.m);
  const preferred = all.filter(({ bill, r }) => want(bill, r));
  if (preferred.length === 0 && n % 4 !== 0) return undefined;
  // Every third time, a range a recent act changed: acts follow up on each other (present, dishonour, claim, pay).
  const recent = preferred.filter(({ bill, r }) => run.recent.includes(`${bill.id}/${r.start}`));
  if (recent.length > 0 && n % 3 === 1) return pickOf(recent, n >> 2)!;
  // Every other time, one of the preferred ranges the rules single out (held by its acceptor or drawer, ...).
  const special = interesting === undefined ? [] : preferred.filter(({ bill, r }) => interesting(bill, r));
  if (special.length > 0 && n % 2 === 0) return pickOf(special, n >> 1)!;
  return pickOf(preferred.length > 0 ? preferred : all, n)!;
}

/** A range held by its bill's acceptor or drawer (another wallet of theirs included). */
const heldByParty = (bill: BillModel, r: RangeModel) =>
  ENTITY_OF[r.holder] === ENTITY_OF[bill.acceptor] || ENTITY_OF[r.holder] === ENTITY_OF[bill.drawer];

function unitsOf(a: Amount, r: RangeModel): bigint {
  const size = r.end - r.start + 1n;
  if (a === "whole") return size;
  if (a === "one") return 1n;
  const part = BigInt(Math.floor(Number(size) * a.frac));
  return part > 0n ? part : 1n;
}

const matured = (m: Model, bill: BillModel) => m.now + 1n >= BigInt(startOfCstDay(bill.maturityDay));
const isVerified = (m: Model, n: WalletName) => {
  const e = m.entities[ENTITY_OF[n]];
  return e.status === EntityStatus.Active && m.now + 1n < e.expiresAt;
};

function terms(
  w: World,
  m: Model,
  kind: TradeKind,
  maker: WalletName,
  taker: WalletName,
  makerLeg: Leg,
  takerLeg: Leg,
  spec: TradeSpec,
  extra: Partial<Terms> = {},
): Terms {
  const t = m.now + 1n;
  return {
    kind,
    maker: w.address[maker],
    taker: w.address[taker],
    makerLeg,
    takerLeg,
    rate: 0n,
    valueDay: BigInt(cstDayOf(t) + spec.valueOffset),
    endDay: 0n,
    closingAmount: 0n,
    deadline: t + BigInt(spec.window),
    nonce: BigInt(hre.ethers.hexlify(hre.ethers.randomBytes(8))),
    confidential: hre.ethers.ZeroHash,
    ...extra,
  };
}

const SELLERS: Record<number, readonly WalletName[]> = {
  [TradeKind.Discount]: ENTERPRISES,
  [TradeKind.Rediscount]: LENDERS,
  [TradeKind.CentralBankRediscount]: LENDERS,
  [TradeKind.OutrightSale]: INSTITUTIONS,
  [TradeKind.FreeOfPayment]: INSTITUTIONS,
  [TradeKind.PledgeRepo]: INSTITUTIONS,
  [TradeKind.OutrightRepo]: INSTITUTIONS,
  [TradeKind.Swap]: WALLETS,
};
const BUYERS: Record<number, readonly WalletName[]> = {
  [TradeKind.Discount]: LENDERS,
  [TradeKind.Rediscount]: LENDERS,
  [TradeKind.CentralBankRediscount]: ["C"],
  [TradeKind.OutrightSale]: INSTITUTIONS,
  [TradeKind.FreeOfPayment]: INSTITUTIONS,
  [TradeKind.PledgeRepo]: INSTITUTIONS,
  [TradeKind.OutrightRepo]: INSTITUTIONS,
  [TradeKind.Swap]: WALLETS,
};

/** Terms from a spec, against the model as it stands. */
function buildTerms(w: World, m: Model, spec: TradeSpec): Terms {
  const holdings = (n: WalletName) =>
    allRanges(m).filter(({ bill, r }) => r.holder === n && r.state === RangeState.Circulating && !matured(m, bill));
  let kind = spec.kind;
  const cashToken = kind === TradeKind.Swap && spec.shape === "cashToken";
  const sellersOf = (k: TradeKind) => SELLERS[k].filter((n) => holdings(n).length > 0);
  if (!cashToken && !spec.wrongParty && sellersOf(kind).length === 0) {
    kind =
      [TradeKind.Discount, TradeKind.Rediscount, TradeKind.PledgeRepo].find((k) => sellersOf(k).length > 0) ?? kind;
  }
  const enterprise = (n: WalletName) => ENTERPRISES.includes(n);
  const sellers = spec.wrongParty || cashToken ? WALLETS : sellersOf(kind).length > 0 ? sellersOf(kind) : SELLERS[kind];
  const seller = pickOf(sellers, spec.seller)!;
  let buyers: readonly WalletName[] = spec.wrongParty ? WALLETS : BUYERS[kind];
  if (kind === TradeKind.Swap && !cashToken && !spec.wrongParty)
    buyers = WALLETS.filter((n) => enterprise(n) === enterprise(seller));
  const own = buyers.filter((n) => n !== seller && ENTITY_OF[n] === ENTITY_OF[seller]);
  const others = buyers.filter((n) => ENTITY_OF[n] !== ENTITY_OF[seller]);
  const buyer =
    (spec.ownEntity && own.length > 0 ? pickOf(own, spec.buyer) : pickOf(others, spec.buyer)) ??
    pickOf(buyers, spec.buyer)!;

  const currencyLeg = (amount: bigint) =>
    tokenLeg(
      spec.foreign &&
        kind !== TradeKind.Discount &&
        kind !== TradeKind.Rediscount &&
        kind !== TradeKind.CentralBankRediscount
        ? w.token
        : w.currency,
      amount,
    );
  if (cashToken) {
    const a = tokenLeg(w.currency, spec.price);
    const b = tokenLeg(w.token, spec.price + 7n);
    return spec.sellerMakes
      ? terms(w, m, kind, seller, buyer, a, b, spec)
      : terms(w, m, kind, seller, buyer, b, a, spec);
  }
  const own1 = holdings(seller);
  const pool = own1.length > 0 ? own1 : allRanges(m);
  const { bill, r } = pickOf(pool, spec.range)!;
  const units = unitsOf(spec.amount, r);
  const bLeg = billLeg(w.ledger, bill.id, r.start, units);
  const valueDay = BigInt(cstDayOf(m.now + 1n) + spec.valueOffset);
  let cash = spec.price + spec.tweak;
  let extra: Partial<Terms> = {};
  if (kind === TradeKind.Discount || kind === TradeKind.Rediscount || kind === TradeKind.CentralBankRediscount) {
    const days = BigInt(rollForward(bill.maturityDay, new Map())) - valueDay;
    cash =
      days > 0n && spec.rate * days < 360_000_000n ? discountProceeds(units, spec.rate, days) + spec.tweak : spec.price;
    extra = { rate: spec.rate };
  } else if (kind === TradeKind.PledgeRepo || kind === TradeKind.OutrightRepo) {
    let endDay = cstDayOf(m.now + 1n) + spec.repoDays;
    while (![1, 2, 3, 4, 5].includes(new Date(endDay * 86_400_000).getUTCDay())) endDay++;
    const principal = spec.price;
    cash = principal;
    extra =
      kind === TradeKind.PledgeRepo
        ? {
            rate: spec.rate,
            endDay: BigInt(endDay),
            closingAmount:
              BigInt(endDay) > valueDay
                ? repoRepayment(principal, spec.rate, BigInt(endDay) - valueDay) + spec.tweak
                : 1n,
          }
        : { endDay: BigInt(endDay), closingAmount: principal + 1_000n + spec.tweak };
  }
  if (cash <= 0n) cash = 1n;
  if (kind === TradeKind.FreeOfPayment) return terms(w, m, kind, seller, buyer, bLeg, EMPTY_LEG, spec, extra);
  let other: Leg = currencyLeg(cash);
  if (kind === TradeKind.Swap && spec.shape === "billToken") other = tokenLeg(w.token, cash);
  if (kind === TradeKind.Swap && spec.shape === "billBill") {
    const theirs = holdings(buyer);
    const pick = pickOf(theirs, spec.range2);
    if (pick !== undefined) other = billLeg(w.ledger, pick.bill.id, pick.r.start, unitsOf(spec.amount, pick.r));
  }
  return spec.sellerMakes
    ? terms(w, m, kind, seller, buyer, bLeg, other, spec, extra)
    : terms(w, m, kind, buyer, seller, other, bLeg, spec, extra);
}

function tradeTag(w: World, t: Terms): string {
  const leg = (l: Leg) =>
    l.asset === w.ledger ? "bill" : l.asset === w.currency ? "cash" : l.asset === w.token ? "token" : "none";
  return `${TradeKind[t.kind]}(${leg(t.makerLeg)}-${leg(t.takerLeg)})`;
}

function tradeLabel(w: World, t: Terms): string {
  const leg = (l: Leg) =>
    l.asset === w.ledger
      ? `bill ${l.billId}/${l.start}x${l.amount}`
      : l.asset === w.currency
        ? `${l.amount} cash`
        : l.asset === w.token
          ? `${l.amount} token`
          : "nothing";
  return `${TradeKind[t.kind]} ${M.walletOf(w, t.maker)} (${leg(t.makerLeg)}) ↔ ${M.walletOf(w, t.taker)} (${leg(t.takerLeg)})${t.endDay !== 0n ? ` end day ${t.endDay}` : ""}`;
}

async function signOrder(c: Contracts, w: World, t: Terms, caller: Actor) {
  const sig = async (n: WalletName) =>
    w.address[n] === actorAddress(w, caller) ? "0x" : c.scene.wallet[n].signTypedData(w.domain, TERMS_TYPES, t);
  return {
    terms: t,
    makerSignature: await sig(M.walletOf(w, t.maker)),
    takerSignature: await sig(M.walletOf(w, t.taker)),
  };
}

/** The money an engine act on these trades may move: the currency, and the foreign token if a leg is in it. */
function moneyOf(w: World, ...ts: Terms[]): "cash" | "both" {
  return ts.some((t) => t.makerLeg.asset === w.token || t.takerLeg.asset === w.token) ? "both" : "cash";
}

function billIdsOf(w: World, ...ts: Terms[]): bigint[] {
  return ts.flatMap((t) => [t.makerLeg, t.takerLeg].filter((l) => l.asset === w.ledger).map((l) => l.billId));
}

/** Plans a netted batch: two parties exchanging cash legs in opposite directions (and a bill trade of one of them). */
function buildBatch(w: World, m: Model, act: Act): Terms[] {
  const [a, b] = [act.spec, act.specs[0]];
  // Every other time a party whose account is frozen (netting may spare it its payment: rule 8).
  const frozen = WALLETS.filter((n) => m.cash.frozen[n]);
  const p = frozen.length > 0 && act.pick2 % 2 === 0 ? pickOf(frozen, act.pick2 >> 1)! : pickOf(WALLETS, a.seller)!;
  const q = pickOf(
    WALLETS.filter((n) => ENTITY_OF[n] !== ENTITY_OF[p]),
    a.buyer,
  )!;
  const c1 = a.price;
  const c2 = act.flag ? c1 : b.price;
  const swap = (maker: WalletName, taker: WalletName, cash: bigint, tokens: bigint, spec: TradeSpec) =>
    terms(w, m, TradeKind.Swap, maker, taker, tokenLeg(w.token, tokens), tokenLeg(w.currency, cash), spec);
  const orders = [swap(p, q, c1, a.price + 3n, a), swap(q, p, c2, b.price + 5n, b)];
  if (act.n === 3)
    orders.push(buildTerms(w, m, { ...act.specs[1], seller: WALLETS.indexOf(p), valueOffset: 0, wrongParty: false }));
  return orders;
}

async function plan(run: Run, generated: Partial<Act> & { k: ActKind }): Promise<Plan | null> {
  const act: Act = { ...DEFAULT_ACT, ...generated };
  const { c, w, m } = run;
  const sc = c.scene;
  const to = {
    ledger: w.ledger,
    payments: w.payments,
    engine: w.engine,
    currency: w.currency,
    registry: await sc.suite.identityRegistry.getAddress(),
  };
  const tx = (from: Actor, contract: keyof typeof to, fn: string, args: unknown[]) => ({
    from,
    to: to[contract],
    data: c.iface[contract].encodeFunctionData(fn, args),
  });
  const remember = (...ts: Terms[]) =>
    ts.map((t) => {
      const id = M.tradeIdOf(w, t);
      run.terms.set(id, t);
      return id;
    });
  const t1 = m.now + 1n;

  switch (act.k) {
    case "propose": {
      const t = buildTerms(w, m, act.spec);
      const maker = M.walletOf(w, t.maker);
      const caller = callerOf(act.who, maker);
      return {
        label: `propose ${tradeLabel(w, t)} by ${caller}`,
        tag: tradeTag(w, t),
        sim: (s) => M.propose(s, t, caller),
        tx: tx(caller, "engine", "propose", [t]),
        bills: billIdsOf(w, t),
        trades: remember(t),
        money: moneyOf(w, t),
      };
    }
    case "settle": {
      const t = buildTerms(w, m, act.spec);
      const submitter: Actor =
        act.pick % 3 === 0 ? "admin" : act.pick % 3 === 1 ? M.walletOf(w, t.maker) : M.walletOf(w, t.taker);
      const caller = callerOf(act.who, submitter);
      const order = await signOrder(c, w, t, caller);
      return {
        label: `settle ${tradeLabel(w, t)} by ${caller}`,
        tag: tradeTag(w, t),
        sim: (s) => M.settle(s, t, caller),
        tx: tx(caller, "engine", "settle", [order]),
        bills: billIdsOf(w, t),
        trades: remember(t),
        money: moneyOf(w, t),
      };
    }
    case "settleBatch": {
      const orders = buildBatch(w, m, act);
      const parties = [M.walletOf(w, orders[0].maker), M.walletOf(w, orders[0].taker)];
      const caller: Actor = act.pick % 2 === 0 ? "admin" : parties[(act.pick >> 1) % 2];
      const signed = await Promise.all(orders.map((t) => signOrder(c, w, t, caller)));
      return {
        label: `settleBatch by ${caller}: ${orders.map((t) => tradeLabel(w, t)).join("; ")}`,
        sim: (s) => M.settleBatch(s, orders, caller),
        tx: tx(caller, "engine", "settleBatch", [signed]),
        bills: billIdsOf(w, ...orders),
        trades: remember(...orders),
        money: moneyOf(w, ...orders),
      };
    }
    case "accept":
    case "reject":
    case "withdraw":
    case "clear":
    case "reclaim":
    case "closeRepo":
    case "defaultRepo": {
      const wanted =
        act.k === "reclaim"
          ? null
          : act.k === "closeRepo" || act.k === "defaultRepo"
            ? TradeStatus.RepoOpen
            : TradeStatus.Proposed;
      const fitting = m.trades.filter((x) =>
        wanted === null
          ? x.refundOwed > 0n
          : x.status === wanted || (act.k === "closeRepo" && x.status === TradeStatus.RepoTendered),
      );
      if (fitting.length === 0 && act.pick % 4 !== 0) return null;
      // Every other time the latest fitting trade (acts follow up on each other), else any.
      const trade =
        fitting.length > 0 && act.pick % 2 === 1
          ? fitting[fitting.length - 1]
          : pickOf(fitting.length > 0 ? fitting : m.trades.filter((x) => x.status !== TradeStatus.None), act.pick);
      if (trade === undefined) return null;
      const t = trade.terms;
      const repo =
        t.kind === TradeKind.PledgeRepo || t.kind === TradeKind.OutrightRepo ? M.repoParties(w, t) : undefined;
      const entitled: Actor =
        act.k === "accept" || act.k === "reject"
          ? M.walletOf(w, t.taker)
          : act.k === "closeRepo"
            ? // A tendered repo's second close: now and then by its lender.
              repo !== undefined && trade.status === TradeStatus.RepoTendered && act.pick % 3 === 0
              ? repo.lender
              : (repo?.borrower ?? M.walletOf(w, t.taker))
            : act.k === "defaultRepo"
              ? (repo?.lender ?? M.walletOf(w, t.maker))
              : act.k === "clear"
                ? "outsider"
                : act.k === "reclaim" && repo !== undefined && trade.status !== TradeStatus.Proposed
                  ? repo.lender
                  : M.walletOf(w, t.maker);
      const caller = callerOf(act.who, entitled);
      const base = {
        label: `${act.k} ${tradeLabel(w, t)} (${TradeStatus[trade.status]}) by ${caller}`,
        tag: `${tradeTag(w, t)} ${TradeStatus[trade.status]}`,
        bills: billIdsOf(w, t),
        trades: [trade.id],
        money: moneyOf(w, t),
      };
      const fn = act.k;
      const sims: Record<typeof fn, (s: Sim) => void> = {
        accept: (s) => M.accept(s, t, caller),
        reject: (s) => M.endTrade(s, t, caller, TradeStatus.Rejected),
        withdraw: (s) => M.endTrade(s, t, caller, TradeStatus.Withdrawn),
        clear: (s) => M.endTrade(s, t, caller, TradeStatus.Cleared),
        reclaim: (s) => M.reclaim(s, t, caller),
        closeRepo: (s) => M.closeRepo(s, t, caller),
        defaultRepo: (s) => M.defaultRepo(s, t, caller),
      };
      return { ...base, sim: sims[fn], tx: tx(caller, "engine", fn, [t]) };
    }
    case "acceptBatch": {
      const open = m.trades.filter((x) => x.status === TradeStatus.Proposed);
      const first = pickOf(open, act.pick);
      if (first === undefined) return null;
      const same = open.filter((x) => x.terms.taker === first.terms.taker && x.id !== first.id);
      const chosen = [first, ...same.slice(0, act.n - 1)];
      const taker = M.walletOf(w, first.terms.taker);
      const ts = chosen.map((x) => x.terms);
      return {
        label: `acceptBatch by ${taker}: ${ts.map((t) => tradeLabel(w, t)).join("; ")}`,
        sim: (s) => ts.forEach((t) => M.accept(s, t, taker)),
        tx: tx(taker, "engine", "acceptBatch", [ts]),
        bills: billIdsOf(w, ...ts),
        trades: chosen.map((x) => x.id),
        money: moneyOf(w, ...ts),
      };
    }
    case "endorse":
    case "pledge":
    case "guarantee": {
      const picked = pickRange(
        run,
        act.pick,
        (b, x) =>
          x.state === RangeState.Circulating &&
          !matured(m, b) &&
          (act.k !== "endorse" || ENTERPRISES.includes(x.holder)),
      );
      if (picked === undefined) return null;
      const { bill, r } = picked;
      const caller = callerOf(act.who, r.holder);
      const units = unitsOf(act.amount, r);
      const ownEntity = WALLETS.filter((n) => n !== r.holder && ENTITY_OF[n] === ENTITY_OF[r.holder]);
      const pool =
        act.k === "endorse" ? ENTERPRISES : act.k === "guarantee" ? (["A", "B", "F", "C"] as WalletName[]) : WALLETS;
      const others = pool.filter((n) => ENTITY_OF[n] !== ENTITY_OF[r.holder]);
      const counterparty =
        act.pick2 % 8 === 0 && ownEntity.length > 0 ? pickOf(ownEntity, act.pick2)! : pickOf(others, act.pick2)!;
      const label = `${act.k} ${units} of ${bill.id}/${r.start} (${r.holder}) to ${counterparty}${act.k === "endorse" && act.flag ? " not transferable" : ""} by ${caller}`;
      if (act.k === "endorse") {
        return {
          label,
          sim: (s) => M.endorse(s, bill.id, r.start, units, counterparty, act.flag, caller),
          tx: tx(caller, "ledger", "endorse", [bill.id, r.start, units, w.address[counterparty], act.flag]),
          bills: [bill.id],
        };
      }
      if (act.k === "pledge") {
        return {
          label,
          sim: (s) => M.pledge(s, bill.id, r.start, units, counterparty, caller),
          tx: tx(caller, "ledger", "pledge", [bill.id, r.start, units, w.address[counterparty]]),
          bills: [bill.id],
        };
      }
      return {
        label,
        sim: (s) => M.requestGuarantee(s, bill.id, r.start, units, counterparty, caller),
        tx: tx(caller, "ledger", "requestGuarantee", [bill.id, r.start, units, w.address[counterparty]]),
        bills: [bill.id],
      };
    }
    case "sign":
    case "rejectApp":
    case "withdrawApp":
    case "clearApp": {
      const picked = pickRange(run, act.pick, (_b, x) => x.state === RangeState.Locked);
      if (picked === undefined) return null;
      const { bill, r } = picked;
      const entitled: Actor =
        act.k === "withdrawApp" ? r.holder : act.k === "clearApp" ? "outsider" : asActor(r.counterparty);
      const caller = callerOf(act.who, entitled);
      const label = `${act.k} ${LedgerAct[r.pendingAct]} of ${bill.id}/${r.start} (${r.holder} → ${r.counterparty}) by ${caller}`;
      if (act.k === "sign") {
        const expected = M.applicationTerms(w, bill.id, r);
        return {
          label,
          sim: (s) => M.sign(s, bill.id, r.start, caller),
          tx: tx(caller, "ledger", "sign", [bill.id, r.start, expected]),
          bills: [bill.id],
        };
      }
      const how = act.k === "rejectApp" ? "reject" : act.k === "withdrawApp" ? "withdraw" : "clear";
      return {
        label,
        sim: (s) => M.endLedgerApplication(s, bill.id, r.start, caller, how),
        tx: tx(caller, "ledger", how, [bill.id, r.start]),
        bills: [bill.id],
      };
    }
    case "releasePledge": {
      const picked = pickRange(run, act.pick, (_b, x) => x.state === RangeState.Pledged && x.counterparty !== "engine");
      if (picked === undefined) return null;
      const { bill, r } = picked;
      const caller = callerOf(act.who, asActor(r.counterparty));
      return {
        label: `releasePledge ${bill.id}/${r.start} by ${caller}`,
        sim: (s) => M.releasePledge(s, bill.id, r.start, caller),
        tx: tx(caller, "ledger", "releasePledge", [bill.id, r.start]),
        bills: [bill.id],
      };
    }
    case "presentAcceptance":
    case "presentReceipt": {
      const want = act.k === "presentAcceptance" ? RangeState.Issued : RangeState.Accepted;
      const fitting = m.bills.filter((b) => b.ranges[0].state === want);
      if (fitting.length === 0 && act.pick % 4 !== 0) return null;
      const bill = pickOf(fitting.length > 0 ? fitting : m.bills, act.pick)!;
      const caller = callerOf(act.who, bill.drawer);
      const fn = act.k === "presentAcceptance" ? "presentForAcceptance" : "presentForReceipt";
      return {
        label: `${fn} of bill ${bill.id} by ${caller}`,
        sim: (s) =>
          act.k === "presentAcceptance"
            ? M.presentForAcceptance(s, bill.id, caller)
            : M.presentForReceipt(s, bill.id, caller),
        tx: tx(caller, "ledger", fn, [bill.id]),
        bills: [bill.id],
      };
    }
    case "freezeRange":
    case "unfreezeRange": {
      const freeze = act.k === "freezeRange";
      const picked = pickRange(
        run,
        act.pick,
        (_b, x) =>
          freeze ? x.state !== RangeState.Frozen && x.state !== RangeState.Redeemed : x.state === RangeState.Frozen,
        // Every other time a range the engine holds in place (a repo's, a proposal's).
        (_b, x) => x.counterparty === "engine",
      );
      if (picked === undefined) return null;
      const { bill, r } = picked;
      const caller = act.who.right ? "regulator" : callerOf(act.who, "regulator");
      const units = unitsOf(act.amount, r);
      return {
        label: `${freeze ? `freeze ${units} of` : "unfreeze"} ${bill.id}/${r.start} (${r.holder}, ${RangeState[r.state]}) by ${caller}`,
        sim: (s) =>
          freeze ? M.freezeRange(s, bill.id, r.start, units, caller) : M.unfreezeRange(s, bill.id, r.start, caller),
        tx: freeze
          ? tx(caller, "ledger", "freeze", [bill.id, r.start, units])
          : tx(caller, "ledger", "unfreeze", [bill.id, r.start]),
        bills: [bill.id],
      };
    }
    case "present":
    case "declare":
    case "bankruptDishonour":
    case "claim":
    case "withdrawClaim": {
      const want: Record<string, (b: BillModel, x: RangeModel) => boolean> = {
        present: (b, x) => x.state === RangeState.Circulating && matured(m, b),
        declare: (_b, x) => x.state === RangeState.Presented,
        bankruptDishonour: (b, x) => x.state === RangeState.Circulating && Boolean(m.bankrupt[b.acceptor]),
        claim: (_b, x) => x.state === RangeState.Dishonoured && x.claim === undefined,
        withdrawClaim: (_b, x) => x.claim !== undefined,
      };
      const picked = pickRange(run, act.pick, want[act.k], heldByParty);
      if (picked === undefined) return null;
      const { bill, r } = picked;
      const caller = callerOf(act.who, r.holder);
      const base = { bills: [bill.id], range: { billId: bill.id, start: r.start } };
      if (act.k === "present") {
        return {
          ...base,
          label: `presentForPayment ${bill.id}/${r.start} (${r.holder}) by ${caller}`,
          sim: (s) => M.presentForPayment(s, bill.id, r.start, caller),
          tx: tx(caller, "payments", "presentForPayment", [bill.id, r.start]),
        };
      }
      if (act.k === "declare") {
        return {
          ...base,
          label: `declareDishonoured ${bill.id}/${r.start} (${r.holder}) by ${caller}`,
          sim: (s) => M.declareDishonoured(s, bill.id, r.start, caller),
          tx: tx(caller, "payments", "declareDishonoured", [bill.id, r.start]),
        };
      }
      if (act.k === "bankruptDishonour") {
        return {
          ...base,
          label: `dishonourForBankruptcy ${bill.id}/${r.start} (${r.holder}, acceptor ${bill.acceptor}) by ${caller}`,
          sim: (s) => M.dishonourForBankruptcy(s, bill.id, r.start, caller),
          tx: tx(caller, "payments", "dishonourForBankruptcy", [bill.id, r.start]),
        };
      }
      if (act.k === "withdrawClaim") {
        return {
          ...base,
          label: `withdrawClaim ${bill.id}/${r.start} by ${caller}`,
          sim: (s) => M.withdrawClaim(s, bill.id, r.start, caller),
          tx: tx(caller, "payments", "withdrawClaim", [bill.id, r.start]),
        };
      }
      // A target: the acceptor, the drawer (or another wallet of theirs), a party of the chain, or anyone.
      const candidates: WalletName[] = [
        bill.acceptor,
        bill.drawer,
        ...r.links.map((l) => l.party),
        ...r.links.map((l) => l.party),
        ...WALLETS.filter((n) => ENTITY_OF[n] === ENTITY_OF[bill.acceptor] || ENTITY_OF[n] === ENTITY_OF[bill.drawer]),
      ];
      const target = act.pick2 % 6 === 0 ? pickOf(WALLETS, act.pick2 >> 3)! : pickOf(candidates, act.pick2)!;
      const links = r.links.map((l) => ({
        kind: l.kind === "endorsement" ? 1 : 2,
        party: w.address[l.party],
        noRecourse: l.noRecourse,
      }));
      return {
        ...base,
        label: `claimRecourse ${bill.id}/${r.start} (${r.holder}, chain ${r.links.map((l) => `${l.kind === "guarantee" ? "G:" : ""}${l.party}${l.noRecourse ? "(nr)" : ""}→${l.endorsee ?? ""}`).join(" ")}${r.presentment?.late ? ", late" : ""}${r.bankruptcy ? `, bankruptcy${r.bankruptcy.late ? " late" : ""}` : ""}) against ${target} by ${caller}`,
        sim: (s) => M.claimRecourse(s, bill.id, r.start, target, caller),
        tx: tx(caller, "payments", "claimRecourse", [bill.id, r.start, w.address[target], links]),
      };
    }
    case "pay":
    case "dishonour":
    case "payRecourse": {
      const picked = pickRange(run, act.pick, (_b, x) =>
        act.k === "payRecourse" ? x.claim !== undefined : x.state === RangeState.Presented,
      );
      if (picked === undefined) return null;
      const { bill, r } = picked;
      const entitled: Actor = act.k === "payRecourse" ? (r.claim?.target ?? "outsider") : bill.acceptor;
      const caller = callerOf(act.who, entitled);
      const base = { bills: [bill.id], range: { billId: bill.id, start: r.start }, money: "cash" as const };
      if (act.k === "pay") {
        return {
          ...base,
          label: `pay ${bill.id}/${r.start} (${r.holder}) by ${caller}`,
          sim: (s) => M.pay(s, bill.id, r.start, caller),
          tx: tx(caller, "payments", "pay", [bill.id, r.start]),
        };
      }
      if (act.k === "dishonour") {
        const reason = act.pick2 % 20 === 0 ? 0 : 1 + (act.pick2 % 254);
        return {
          ...base,
          label: `dishonour ${bill.id}/${r.start} (${r.holder}) reason ${reason} by ${caller}`,
          sim: (s) => M.dishonour(s, bill.id, r.start, reason, caller),
          tx: tx(caller, "payments", "dishonour", [bill.id, r.start, reason]),
        };
      }
      return {
        ...base,
        label: `payRecourse ${bill.id}/${r.start} (${r.holder} claims ${r.claim?.target ?? "nobody"}) by ${caller}`,
        sim: (s) => M.payRecourse(s, bill.id, r.start, caller),
        tx: tx(caller, "payments", "payRecourse", [bill.id, r.start]),
      };
    }
    case "kyc": {
      // Now and then the lender of an open repo, else any entity.
      const lenders = m.trades
        .filter((x) => x.status === TradeStatus.RepoOpen)
        .map((x) => ENTITY_OF[M.repoParties(w, x.terms).lender]);
      const entity = act.flag && lenders.length > 0 ? pickOf(lenders, act.pick)! : pickOf(ENTITIES, act.pick)!;
      const change = act.change;
      const caller: Actor = change === "revoke" ? "admin" : PROVIDER_OF[entity];
      const expiresAt = change === "expireSoon" ? t1 + 60n + (act.value % (2n * M.DAY)) : t1 + 365n * M.DAY;
      const id = entityIdOf(ENTITY_CODE[entity]);
      const data =
        change === "revoke"
          ? tx(caller, "registry", "revokeEntity", [id])
          : change === "suspend"
            ? tx(caller, "registry", "suspendEntity", [id])
            : change === "reinstate"
              ? tx(caller, "registry", "reinstateEntity", [id])
              : tx(caller, "registry", "renewEntity", [id, expiresAt]);
      return {
        label: `${change} entity ${entity}${change === "expireSoon" ? ` (expires in ${expiresAt - t1} s)` : ""} by ${caller}`,
        sim: (s) => M.changeStanding(s, entity, change, expiresAt, caller),
        tx: data,
        standing: () => checkEntity(run, entity),
      };
    }
    case "freezeAccount":
    case "freezeAmount": {
      const target: Holder =
        act.pick % 4 === 0 ? "engine" : act.pick % 17 === 1 ? "payments" : pickOf(WALLETS, act.pick)!;
      const caller: Actor = act.who.right ? "regulator" : callerOf(act.who, "regulator");
      const addr = w.address[target];
      if (act.k === "freezeAccount") {
        const freeze = !m.cash.frozen[target];
        return {
          label: `${freeze ? "freeze" : "unfreeze"} ${target}'s currency account by ${caller}`,
          sim: (s) => M.freezeAccount(s, target, freeze, caller),
          tx: tx(caller, "currency", freeze ? "freezeAccount" : "unfreezeAccount", [addr]),
          standing: () => checkAccount(run, target),
        };
      }
      const unfreeze = act.flag && m.cash.frozenAmount[target] > 0n;
      const value = unfreeze ? m.cash.frozenAmount[target] : act.pick2 % 3 === 0 ? m.cash.balance[target] : act.value;
      return {
        label: `${unfreeze ? "unfreeze" : "freeze"} ${value} of ${target}'s currency by ${caller}`,
        sim: (s) => M.freezeAmount(s, target, value, !unfreeze, caller),
        tx: tx(caller, "currency", unfreeze ? "unfreezeAmount" : "freezeAmount", [addr, value]),
        standing: () => checkAccount(run, target),
      };
    }
    case "pause": {
      const what = (["ledger", "currency", "engine"] as const)[act.pick % 3];
      const paused = what === "ledger" ? m.ledgerPaused : what === "currency" ? m.cash.paused : m.enginePaused;
      const caller: Actor = act.who.right ? "pauser" : callerOf(act.who, "pauser");
      return {
        label: `${paused ? "unpause" : "pause"} the ${what} by ${caller}`,
        sim: (s) =>
          what === "ledger"
            ? M.setLedgerPaused(s, !paused, caller)
            : what === "currency"
              ? M.setCurrencyPaused(s, !paused, caller)
              : M.setEnginePaused(s, !paused, caller),
        tx: tx(caller, what, paused ? "unpause" : "pause", []),
        standing: () => checkFlags(run),
      };
    }
    case "bankrupt": {
      const acceptor = pickOf(ACCEPTORS, act.pick)!;
      const flag = !m.bankrupt[acceptor];
      return {
        label: `${flag ? "flag" : "unflag"} ${acceptor} bankrupt`,
        sim: (s) => M.setBankrupt(s, acceptor, flag, "admin"),
        tx: tx("admin", "ledger", "setAcceptorBankrupt", [w.address[acceptor], flag]),
        standing: () => checkFlags(run),
      };
    }
    case "list": {
      return {
        label: `${m.listed ? "delist" : "list"} the foreign token`,
        sim: (s) => M.setListed(s, !m.listed, "admin"),
        tx: tx("admin", "engine", "setListed", [w.token, !m.listed]),
        standing: () => checkFlags(run),
      };
    }
    case "approve": {
      // Mostly a wallet whose standing lapsed: lowering its allowance must still work (rule 8).
      const lapsed = WALLETS.filter((n) => !isVerified(m, n));
      const owner = act.flag && lapsed.length > 0 ? pickOf(lapsed, act.pick)! : pickOf(WALLETS, act.pick)!;
      const spender = act.pick2 % 2 === 0 ? "engine" : "payments";
      const current = m.cash.allowance[owner][spender];
      const value =
        act.pick2 % 3 === 0
          ? 0n
          : act.pick2 % 3 === 1
            ? current === M.MAX_UINT
              ? act.value
              : current / 2n
            : M.MAX_UINT;
      return {
        label: `${owner} approves ${value === M.MAX_UINT ? "unlimited" : value} to the ${spender} (was ${current === M.MAX_UINT ? "unlimited" : current})`,
        sim: (s) => M.approve(s, owner, spender, value),
        tx: tx(owner, "currency", "approve", [w.address[spender], value]),
        standing: () => checkAllowance(run, owner),
      };
    }
    case "mint": {
      const receiver = pickOf(WALLETS, act.pick)!;
      return {
        label: `mint ${act.value} to ${receiver}`,
        sim: (s) => M.mint(s, receiver, act.value, "C"),
        tx: tx("C", "currency", "mint", [w.address[receiver], act.value]),
        money: "cash" as const,
      };
    }
    case "advance": {
      const at = (x: bigint) => x + act.delta - 1n;
      let target: bigint | undefined;
      const day = cstDayOf(t1);
      switch (act.how) {
        case "by":
          target = m.now + 1n + (act.value % 120n);
          break;
        case "hours":
          target = m.now + 3_600n * (1n + (act.value % 30n));
          break;
        case "nextDay":
          target = BigInt(startOfCstDay(day + 1)) + 10n * 3_600n + (act.value % 600n);
          break;
        case "deadline": {
          const x = pickOf(
            m.trades.filter((y) => y.status === TradeStatus.Proposed),
            act.pick,
          );
          if (x !== undefined) target = at(x.terms.deadline);
          break;
        }
        case "repoEnd": {
          const x = pickOf(
            m.trades.filter((y) => y.status === TradeStatus.RepoOpen),
            act.pick,
          );
          if (x !== undefined) target = at(M.closingDeadline(x.terms));
          break;
        }
        case "maturity": {
          const b = pickOf(
            m.bills.filter((y) => !matured(m, y)),
            act.pick,
          );
          if (b !== undefined) target = at(BigInt(startOfCstDay(b.maturityDay)));
          break;
        }
        case "presentationEnd": {
          const b = pickOf(
            m.bills.filter((y) => day < y.maturityDay + M.PRESENTATION_DAYS),
            act.pick,
          );
          if (b !== undefined) target = at(BigInt(startOfCstDay(b.maturityDay + M.PRESENTATION_DAYS)));
          break;
        }
        case "answerBy": {
          const x = pickOf(
            allRanges(m).filter(({ r }) => r.state === RangeState.Presented && r.presentment !== undefined),
            act.pick,
          );
          if (x !== undefined) target = at(x.r.presentment!.answerBy);
          break;
        }
        case "appDeadline": {
          const x = pickOf(
            allRanges(m).filter(({ r }) => r.state === RangeState.Locked),
            act.pick,
          );
          if (x !== undefined) target = at(x.r.deadline);
          break;
        }
        case "expiry": {
          const e = pickOf(
            ENTITIES.filter((y) => m.entities[y].expiresAt < m.now + 30n * M.DAY),
            act.pick,
          );
          if (e !== undefined) target = at(m.entities[e].expiresAt);
          break;
        }
      }
      if (target === undefined || target <= m.now) return null;
      return {
        label: `advance ${target - m.now} s to ${target} (${act.how}, day ${cstDayOf(target)})`,
        advanceTo: target,
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

const rangeText = (w: World, billId: bigint, r: RangeModel) =>
  [
    r.start,
    r.end,
    w.address[r.holder],
    RangeState[r.state],
    RangeState[r.priorState],
    LedgerAct[r.pendingAct],
    r.noRecourse,
    r.deadline,
    r.counterparty === null ? hre.ethers.ZeroAddress : w.address[r.counterparty],
    M.chainOf(w, billId, r.links, r.zeroChain),
  ].join("/");
const chainText = (r: ChainRange) =>
  [
    r.start,
    r.end,
    r.holder,
    RangeState[r.state],
    RangeState[r.priorState],
    LedgerAct[r.pendingAct],
    r.noRecourse,
    r.deadline,
    r.counterparty,
    r.chain,
  ].join("/");

/** One bill read back: the ranges tile 1..face, holders known and non-zero, equal to the model. */
async function checkBill(run: Run, bill: BillModel, at: string): Promise<void> {
  const { c, w } = run;
  const ranges = await readBill(c, w, bill.id, bill.face);
  let next = 1n;
  for (const r of ranges) {
    expect(r.start, `${at}: bill ${bill.id}: ranges tile the bill (gap or overlap at ${next})`).to.equal(next);
    expect(r.end >= r.start, `${at}: bill ${bill.id}: range [${r.start}, ${r.end}]`).to.equal(true);
    expect(r.holder, `${at}: bill ${bill.id}/${r.start} held by the zero address`).to.not.equal(hre.ethers.ZeroAddress);
    expect(w.walletAt.has(r.holder), `${at}: bill ${bill.id}/${r.start} held by an unknown ${r.holder}`).to.equal(true);
    next = r.end + 1n;
  }
  expect(next - 1n, `${at}: bill ${bill.id}: the last range ends at the face`).to.equal(bill.face);
  const before = run.last.get(bill.id) ?? [];
  // Rule 1, independently of the model: a range of a not-transferable bill changes holder only by recourse payment.
  if (bill.notTransferable && !BASE_RULES.has("1")) {
    for (const r of ranges) {
      expect(r.state, `${at}: rule 1: bill ${bill.id}/${r.start} (not transferable) pledged`).to.not.equal(
        RangeState.Pledged,
      );
      const was = before.find((o) => o.start <= r.start && r.start <= o.end);
      if (was !== undefined && was.holder !== r.holder && !at.includes("payRecourse")) {
        expect.fail(
          `${at}: rule 1: bill ${bill.id}/${r.start} (not transferable) went from ${was.holder} to ${r.holder}`,
        );
      }
    }
  }
  // Whoever received a range is verified now.
  for (const r of ranges) {
    const was = before.find((o) => o.start <= r.start && r.start <= o.end);
    if (was !== undefined && was.holder !== r.holder) {
      const ok = await call(c, "registry", await c.scene.suite.identityRegistry.getAddress(), "isVerified", [r.holder]);
      expect(word(ok, 0), `${at}: ${r.holder} received bill ${bill.id}/${r.start} while unverified`).to.equal(1n);
    }
  }
  const actual = ranges.map(chainText);
  const model = bill.ranges.map((r) => rangeText(w, bill.id, r));
  if (actual.join() !== model.join())
    expect(actual, `${at}: bill ${bill.id}: ranges vs the model`).to.deep.equal(model);
  run.last.set(bill.id, ranges);
}

async function checkRecords(run: Run, billId: bigint, r: RangeModel, at: string): Promise<void> {
  const { c, w } = run;
  const [p, claim] = await Promise.all([
    call(c, "payments", w.payments, "presentmentOf", [billId, r.start]),
    call(c, "payments", w.payments, "claimOf", [billId, r.start]),
  ]);
  if (r.presentment !== undefined) {
    expect([word(p, 0), word(p, 1), word(p, 2) !== 0n], `${at}: presentment of ${billId}/${r.start}`).to.deep.equal([
      r.presentment.presentedAt,
      r.presentment.answerBy,
      r.presentment.late,
    ]);
  } else if (r.state !== RangeState.Redeemed) {
    expect(word(p, 0), `${at}: ${billId}/${r.start} has no presentment`).to.equal(0n);
  }
  const target = word(claim, 0) === 0n ? "none" : addressWord(claim, 0);
  const expected = r.claim === undefined ? "none" : w.address[r.claim.target];
  expect(target, `${at}: claim on ${billId}/${r.start}`).to.equal(expected);
  if (r.claim !== undefined) {
    const keep = r.claim.keep;
    const chain = keep === "zero" ? 0n : M.chainOf(w, billId, r.links.slice(0, keep), false);
    expect(word(claim, 1), `${at}: the chain ${billId}/${r.start} keeps once the claim is paid`).to.equal(chain);
  }
}

const HOLDER_ADDRESSES = (w: World) => HOLDERS.map((h) => w.address[h]);

async function checkMoney(run: Run, at: string, token: boolean): Promise<void> {
  const { c, w, m } = run;
  const tokens: ["cash" | "token", string, "currency" | "token"][] = [["cash", w.currency, "currency"]];
  if (token) tokens.push(["token", w.token, "token"]);
  for (const [name, address, iface] of tokens) {
    const [balances, supply, escrowed] = await Promise.all([
      Promise.all(HOLDER_ADDRESSES(w).map((h) => call(c, iface, address, "balanceOf", [h]).then((x) => word(x, 0)))),
      call(c, iface, address, "totalSupply", []).then((x) => word(x, 0)),
      call(c, "engine", w.engine, "escrowed", [address]).then((x) => word(x, 0)),
    ]);
    const sum = balances.reduce((a, b) => a + b, 0n);
    expect(sum, `${at}: ${name}: the sum of all balances equals the total supply`).to.equal(supply);
    const engine = balances[HOLDERS.indexOf("engine")];
    expect(engine, `${at}: ${name}: the engine holds exactly escrowed(${name})`).to.equal(escrowed);
    const money = name === "cash" ? m.cash : m.token;
    expect(supply, `${at}: ${name}: total supply`).to.equal(money.supply);
    expect(escrowed, `${at}: ${name}: escrowed vs the model`).to.equal(m.escrow[name]);
    const actual = Object.fromEntries(HOLDERS.map((h, i) => [h, balances[i]]));
    if (HOLDERS.some((h, i) => balances[i] !== money.balance[h])) {
      expect(actual, `${at}: ${name}: balances vs the model`).to.deep.equal(money.balance);
    }
  }
}

async function checkTrades(run: Run, ids: string[], at: string): Promise<void> {
  const { c, w, m } = run;
  for (const id of ids) {
    const t = run.terms.get(id)!;
    const hex = await call(c, "engine", w.engine, "tradeOf", [t]);
    const trade = M.tradeOf(m, id);
    const status = trade?.status ?? TradeStatus.None;
    expect(TradeStatus[Number(word(hex, 0))], `${at}: status of ${tradeLabel(w, t)}`).to.equal(TradeStatus[status]);
    expect(word(hex, 1), `${at}: refund owed on ${tradeLabel(w, t)}`).to.equal(trade?.refundOwed ?? 0n);
  }
}

async function checkEntity(run: Run, entity: Entity): Promise<void> {
  const { c, m, w } = run;
  const registry = await c.scene.suite.identityRegistry.getAddress();
  for (const n of WALLETS.filter((x) => ENTITY_OF[x] === entity)) {
    const ok = word(await call(c, "registry", registry, "isVerified", [w.address[n]]), 0) === 1n;
    expect(ok, `${n} verified`).to.equal(isVerified({ ...m, now: m.now - 1n }, n));
  }
}

async function checkAccount(run: Run, h: Holder): Promise<void> {
  const { c, m, w } = run;
  const [frozen, amount] = await Promise.all([
    call(c, "currency", w.currency, "isAccountFrozen", [w.address[h]]),
    call(c, "currency", w.currency, "frozenAmountOf", [w.address[h]]),
  ]);
  expect(word(frozen, 0) === 1n, `${h}'s account frozen`).to.equal(m.cash.frozen[h]);
  expect(word(amount, 0), `${h}'s frozen amount`).to.equal(m.cash.frozenAmount[h]);
}

async function checkAllowance(run: Run, n: WalletName): Promise<void> {
  const { c, m, w } = run;
  for (const spender of ["engine", "payments"] as const) {
    const x = word(await call(c, "currency", w.currency, "allowance", [w.address[n], w.address[spender]]), 0);
    expect(x, `${n}'s allowance to the ${spender}`).to.equal(m.cash.allowance[n][spender]);
  }
}

async function checkFlags(run: Run): Promise<void> {
  const { c, m, w } = run;
  const [ledger, currency, engine, listed] = await Promise.all([
    call(c, "ledger", w.ledger, "paused", []),
    call(c, "currency", w.currency, "paused", []),
    call(c, "engine", w.engine, "paused", []),
    call(c, "engine", w.engine, "isListed", [w.token]),
  ]);
  expect(
    [word(ledger, 0), word(currency, 0), word(engine, 0), word(listed, 0)],
    "paused (ledger, currency, engine), listed",
  ).to.deep.equal([m.ledgerPaused, m.cash.paused, m.enginePaused, m.listed].map((x) => (x ? 1n : 0n)));
  for (const a of ACCEPTORS) {
    const x = word(await call(c, "ledger", w.ledger, "isAcceptorBankrupt", [w.address[a]]), 0) === 1n;
    expect(x, `${a} bankrupt`).to.equal(Boolean(m.bankrupt[a]));
  }
}

/**
 * Every bill, presentment, claim, trade and balance read again and compared with the model; with `full`, also every
 * freeze, allowance, pause and standing (which only the acts that change them can change, and which those acts
 * check).
 */
async function checkAll(run: Run, at: string, full: boolean): Promise<void> {
  const { m } = run;
  await timed("all: bills", async () => {
    for (const bill of m.bills) await checkBill(run, bill, at);
  });
  await timed("all: records", async () => {
    for (const bill of m.bills) {
      for (const r of bill.ranges) {
        if (r.presentment !== undefined || r.claim !== undefined) await checkRecords(run, bill.id, r, at);
      }
    }
  });
  await timed("all: trades", () =>
    checkTrades(
      run,
      m.trades.map((x) => x.id),
      at,
    ),
  );
  await timed("all: money", () => checkMoney(run, at, true));
  if (!full) return;
  for (const e of ENTITIES) await checkEntity(run, e);
  for (const h of HOLDERS) await checkAccount(run, h);
  for (const n of WALLETS) await checkAllowance(run, n);
  await checkFlags(run);
}

// ---------------------------------------------------------------------------------------------------------------
// Running acts

/** With PLATFORM_STATS=1: per act kind, how often it was skipped, refused (by error) or carried out. */
const STATS = process.env.PLATFORM_STATS ? new Map<string, number>() : undefined;
function count(key: string): void {
  STATS?.set(key, (STATS.get(key) ?? 0) + 1);
}
const TIMES = new Map<string, number>();
async function timed<T>(phase: string, f: () => Promise<T>): Promise<T> {
  if (STATS === undefined) return f();
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    TIMES.set(phase, (TIMES.get(phase) ?? 0) + performance.now() - t0);
  }
}

/** Runs one act: the model predicts, the chain must agree; then what the act touched is read back and checked. */
async function step(run: Run, act: Partial<Act> & { k: ActKind }): Promise<void> {
  const p = await timed("plan", () => plan(run, act));
  if (p === null) return count(`${act.k} skipped`);
  if (p.advanceTo !== undefined) {
    await time.increaseTo(p.advanceTo);
    run.m.now = p.advanceTo;
    run.log.push(p.label);
    return;
  }
  const t = run.m.now + 1n;
  const t0 = performance.now();
  const s = new Sim(run.w, structuredClone(run.m), BASE_RULES, t);
  let refused: Refused | undefined;
  try {
    p.sim!(s);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    refused = e;
  }
  TIMES.set("sim", (TIMES.get("sim") ?? 0) + performance.now() - t0);
  const rules = s.rulesUsed.size > 0 ? ` [rule ${[...s.rulesUsed].join(", ")}]` : "";
  const lenient = s.lenientWhy !== undefined ? ` (either way: ${s.lenientWhy})` : "";
  const { from, to, data } = p.tx!;
  const request = { from: actorAddress(run.w, from), to, data, gas: GAS };
  await time.setNextBlockTimestamp(t);

  if (refused !== undefined) {
    // The act must be refused: run it at the next block's time without mining it.
    let name: string | undefined;
    try {
      await timed("call refused", () => rpc("eth_call", [request, "pending"]));
    } catch (e) {
      name = errorName(run.c, e);
    }
    run.log.push(`${p.label} -> refused ${name ?? "(not refused!)"}${rules}${lenient}`);
    count(`${p.tag ? `${act.k} ${p.tag}` : act.k} refused ${name}${rules}`);
    if (name === undefined) {
      expect.fail(`${p.label}: the chain accepts it, the model refuses it: ${refused.message}${rules}`);
    }
    if (refused.error !== undefined && name !== refused.error) {
      expect.fail(`${p.label}: refused with ${name}, the model predicts ${refused.error} (${refused.message})`);
    }
    return;
  }

  let failure: string | undefined;
  try {
    await timed("send", () => rpc("eth_sendTransaction", [request]));
  } catch (e) {
    failure = errorName(run.c, e);
  }
  run.m.now = t;
  run.log.push(`${p.label} -> ${failure === undefined ? "ok" : `refused ${failure}`}${rules}${lenient}`);
  count(
    `${p.tag ? `${act.k} ${p.tag}` : act.k} ${failure === undefined ? "ok" : `refused ${failure} (lenient)`}${rules}`,
  );
  if (failure !== undefined) {
    if (s.lenientWhy !== undefined) return;
    expect.fail(`${p.label}: the chain refuses it with ${failure}, the model predicts success${rules}`);
  }
  const before = run.m;
  run.m = s.m;
  run.m.now = t;
  const at = `after ${p.label}`;
  const latest = await rpc<{ timestamp: string }>("eth_getBlockByNumber", ["latest", false]);
  expect(BigInt(latest.timestamp), `${at}: block time`).to.equal(t);
  // Bills the act named or the model says changed.
  const changed = new Set(p.bills ?? []);
  const touched: string[] = [];
  for (const bill of run.m.bills) {
    const old = before.bills.find((b) => b.id === bill.id);
    for (const r of bill.ranges) {
      const was = old?.ranges.find((x) => x.start === r.start);
      if (was === undefined || jsonText(was) !== jsonText(r)) touched.push(`${bill.id}/${r.start}`);
    }
    if (touched.some((k) => k.startsWith(`${bill.id}/`)) || old?.ranges.length !== bill.ranges.length) {
      changed.add(bill.id);
    }
  }
  if (touched.length > 0) run.recent = [...touched, ...run.recent].slice(0, 4);
  await timed("check bills", async () => {
    for (const id of changed) await checkBill(run, M.billOf(run.m, id), at);
  });
  if (p.range !== undefined) {
    const r = M.rangeAt(M.billOf(run.m, p.range.billId), p.range.start);
    if (r !== undefined) await timed("check records", () => checkRecords(run, p.range!.billId, r, at));
  }
  if (p.money !== undefined) await timed("check money", () => checkMoney(run, at, p.money === "both"));
  if (p.trades !== undefined) await timed("check trades", () => checkTrades(run, p.trades!, at));
  if (p.standing !== undefined) await timed("check standing", () => p.standing!());
}

// ---------------------------------------------------------------------------------------------------------------
// Set-up

let contracts: Contracts | undefined;
let world: World | undefined;
let initial: Model | undefined;
let initialLast: Map<bigint, ChainRange[]> | undefined;

function decodeParty(w: World, address: string): M.Party | null {
  if (address === hre.ethers.ZeroAddress) return null;
  if (address === w.engine) return "engine";
  return M.walletOf(w, address);
}

async function setUp(): Promise<{ c: Contracts; w: World; m: Model }> {
  const scene = await loadFixture(platformScene);
  if (contracts !== undefined && world !== undefined && initial !== undefined) {
    return { c: contracts, w: world, m: structuredClone(initial) };
  }
  const suite = scene.suite;
  const iface = {
    ledger: suite.billLedger.interface,
    payments: suite.billPayments.interface,
    engine: suite.settlementEngine.interface,
    currency: suite.digitalCurrency.interface,
    registry: suite.identityRegistry.interface,
    token: scene.token.interface,
  } as unknown as Contracts["iface"];
  const errors = new Map<string, string>();
  for (const i of Object.values(iface)) i.forEachError((e) => errors.set(e.selector, e.name));
  const c: Contracts = { scene, iface, errors };
  const domain = await suite.settlementEngine.eip712Domain();
  const address = {
    ...(Object.fromEntries(WALLETS.map((n) => [n, scene.wallet[n].address])) as Record<WalletName, string>),
    regulator: scene.regulator.address,
    pauser: scene.pauser.address,
    admin: scene.admin.address,
    outsider: scene.outsider.address,
    engine: await suite.settlementEngine.getAddress(),
    payments: await suite.billPayments.getAddress(),
  };
  const w: World = {
    address,
    walletAt: new Map(WALLETS.map((n) => [address[n], n] as const)),
    ledger: await suite.billLedger.getAddress(),
    currency: await suite.digitalCurrency.getAddress(),
    token: await scene.token.getAddress(),
    engine: address.engine,
    payments: address.payments,
    domain: {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    },
  };
  const balances = async (read: (a: string) => Promise<bigint>) =>
    Object.fromEntries(await Promise.all(HOLDERS.map(async (h) => [h, await read(w.address[h])] as const))) as Record<
      Holder,
      bigint
    >;
  const registry = suite.identityRegistry;
  const entities = Object.fromEntries(
    await Promise.all(
      ENTITIES.map(async (e) => {
        const rec = await registry.entity(entityIdOf(ENTITY_CODE[e]));
        return [e, { status: Number(rec.status) as EntityStatus, expiresAt: rec.expiresAt }] as const;
      }),
    ),
  ) as Model["entities"];
  const bills: BillModel[] = [];
  for (const b of scene.bills) {
    const ranges: RangeModel[] = [];
    const read = await readBill(c, w, b.id, b.face);
    expect(await readBillPage(c, w, b.id), `bill ${b.id}: rangesOfBill vs rangeAt`).to.deep.equal(read);
    for (const r of read) {
      const links = scene.links[`${b.id}/${r.start}`];
      expect(links, `the scene lists the chain of ${b.id}/${r.start}`).to.not.equal(undefined);
      const range: RangeModel = {
        start: r.start,
        end: r.end,
        holder: M.walletOf(w, r.holder),
        state: r.state,
        priorState: r.priorState,
        pendingAct: r.pendingAct,
        noRecourse: r.noRecourse,
        deadline: r.deadline,
        counterparty: decodeParty(w, r.counterparty),
        links: links.map((l) => ({ ...l })),
        zeroChain: false,
      };
      const late = scene.bankruptcies[`${b.id}/${r.start}`];
      if (late !== undefined) range.bankruptcy = { late, day: scene.day };
      if (r.state === RangeState.Presented || r.state === RangeState.Dishonoured) {
        const p = await suite.billPayments.presentmentOf(b.id, r.start);
        // A dishonour for bankruptcy is recorded as a presentment too (rule 4).
        if (late === undefined || !BASE_RULES.has("4")) {
          range.presentment = { presentedAt: p.presentedAt, answerBy: p.answerBy, late: p.late };
        }
        const claim = await suite.billPayments.claimOf(b.id, r.start);
        if (claim.target !== hre.ethers.ZeroAddress) {
          const keep =
            claim.newChain === 0n
              ? ("zero" as const)
              : range.links.findIndex((_l, i) => M.chainOf(w, b.id, range.links.slice(0, i), false) === claim.newChain);
          expect(keep, `the scene's claim on ${b.id}/${r.start}`).to.not.equal(-1);
          range.claim = { target: M.walletOf(w, claim.target), keep };
        }
      }
      ranges.push(range);
    }
    bills.push({ ...b, splittable: true, ranges });
  }
  const m: Model = {
    now: BigInt(await time.latest()),
    entities,
    cash: {
      balance: await balances((a) => suite.digitalCurrency.balanceOf(a)),
      supply: await suite.digitalCurrency.totalSupply(),
      paused: false,
      frozen: Object.fromEntries(
        await Promise.all(HOLDERS.map(async (h) => [h, await suite.digitalCurrency.isAccountFrozen(w.address[h])])),
      ) as Record<Holder, boolean>,
      frozenAmount: Object.fromEntries(
        await Promise.all(HOLDERS.map(async (h) => [h, await suite.digitalCurrency.frozenAmountOf(w.address[h])])),
      ) as Record<Holder, bigint>,
      allowance: Object.fromEntries(
        WALLETS.map((n) => [n, { engine: M.MAX_UINT, payments: M.MAX_UINT }]),
      ) as Model["cash"]["allowance"],
    },
    token: {
      balance: await balances((a) => scene.token.balanceOf(a)),
      supply: await scene.token.totalSupply(),
      allowance: Object.fromEntries(WALLETS.map((n) => [n, M.MAX_UINT])) as Record<WalletName, bigint>,
    },
    ledgerPaused: false,
    enginePaused: false,
    listed: true,
    bankrupt: Object.fromEntries(
      await Promise.all(
        ACCEPTORS.map(async (a) => [a, await suite.billLedger.isAcceptorBankrupt(w.address[a])] as const),
      ),
    ),
    bills,
    trades: [
      ...scene.repos.map((t) => ({
        id: M.tradeIdOf(w, t),
        terms: t,
        status: TradeStatus.RepoOpen,
        refundOwed: 0n,
        signed: true,
      })),
      ...scene.proposals.map((t) => ({
        id: M.tradeIdOf(w, t),
        terms: t,
        status: TradeStatus.Proposed,
        refundOwed: 0n,
        signed: false,
      })),
    ],
    escrow: {
      cash: scene.proposals.reduce((sum, t) => sum + (t.makerLeg.asset === w.currency ? t.makerLeg.amount : 0n), 0n),
      token: 0n,
    },
  };
  // The model of the scene equals the chain.
  const run: Run = {
    c,
    w,
    m,
    log: [],
    last: new Map(),
    recent: [],
    terms: new Map(initialTerms(w, scene)),
  };
  await checkAll(run, "the scene", true);
  initialLast = run.last;
  contracts = c;
  world = w;
  initial = m;
  return { c, w, m: structuredClone(m) };
}

describe("The platform (property)", function () {
  it("keeps every unit held once, money conserved, every range where the model says and the bill rules (1-9) over random acts", async function () {
    this.timeout(LONG ? 36_000_000 : 600_000);
    const parameters: fc.Parameters<[(Partial<Act> & { k: ActKind })[]]> = { numRuns: RUNS };
    if (process.env.FC_SEED) parameters.seed = Number(process.env.FC_SEED);
    if (process.env.FC_PATH) parameters.path = process.env.FC_PATH;
    await fc.assert(
      fc.asyncProperty(fc.array(ACT, { minLength: 1, maxLength: MAX_ACTS, size: "max" }), async (acts) => {
        const { c, w, m } = await timed("setUp", () => setUp());
        const run: Run = { c, w, m, log: [], last: new Map(initialLast), terms: new Map(), recent: [] };
        for (const [id, t] of initialTerms(w)) run.terms.set(id, t);
        try {
          for (const act of acts) await step(run, act);
          await timed("check all", () => checkAll(run, "at the end of the sequence", LONG));
        } catch (e) {
          if (e instanceof Error) e.message += `\nacts as run:\n  ${run.log.join("\n  ")}`;
          throw e;
        }
      }),
      parameters,
    );
    if (STATS !== undefined) {
      for (const [key, n] of [...STATS].sort()) console.log(`${String(n).padStart(6)} ${key}`);
      for (const [phase, ms] of TIMES) console.log(`${ms.toFixed(0).padStart(8)} ms ${phase}`);
    }
  });
});

function initialTerms(w: World, scene: PlatformScene = contracts!.scene): [string, Terms][] {
  return [...scene.repos, ...scene.proposals].map((t) => [M.tradeIdOf(w, t), t]);
}
