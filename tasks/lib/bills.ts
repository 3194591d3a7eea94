import { ethers, type BaseContract } from "ethers";
import type { BillLedger } from "../../typechain-types";
import { formatCny } from "./money";
import { historyEntry, type HistoryEntry } from "./output";
import { mined } from "./tx";

/** Mirrors `IBillLedger.BillType`. */
export enum BillType {
  None = 0,
  BankAcceptance = 1,
  FinanceCompanyAcceptance = 2,
  CommercialAcceptance = 3,
}

/** Mirrors `IBillLedger.RangeState`. */
export enum RangeState {
  None = 0,
  Issued = 1,
  Accepted = 2,
  Circulating = 3,
  Locked = 4,
  Pledged = 5,
  Frozen = 6,
  Presented = 7,
  Dishonoured = 8,
  Redeemed = 9,
  Escrowed = 10,
}

/** Mirrors `IBillLedger.Act`. */
export enum Act {
  None = 0,
  Acceptance = 1,
  Receipt = 2,
  Endorsement = 3,
  Pledge = 4,
  Guarantee = 5,
}

/** Mirrors `IBillLedger.LinkKind`. */
export enum LinkKind {
  None = 0,
  Endorsement = 1,
  Guarantee = 2,
}

const DAY = 86_400;
/** Bill dates are calendar days in China Standard Time (UTC+8). */
const CST_OFFSET = 8 * 3600;

/** The CST day number (days since 1970-01-01) containing unix time `seconds`. */
export function cstDayOf(seconds: number | bigint): number {
  return Math.floor((Number(seconds) + CST_OFFSET) / DAY);
}

/** Unix time of 00:00:00 CST on `day`. */
export function startOfCstDay(day: number): number {
  return day * DAY - CST_OFFSET;
}

/** "2027-03-31" → CST day number. */
export function dayFromIso(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(match[3])) {
    throw new Error(`"${date}" is not a date of the form 2027-03-31`);
  }
  return ms / 1000 / DAY;
}

/** CST day number → "2027-03-31". */
export function isoFromDay(day: number | bigint): string {
  return new Date(Number(day) * DAY * 1000).toISOString().slice(0, 10);
}

export function parseBillType(name: string): BillType {
  const aliases: Record<string, BillType> = {
    bank: BillType.BankAcceptance,
    bankacceptance: BillType.BankAcceptance,
    finance: BillType.FinanceCompanyAcceptance,
    financecompany: BillType.FinanceCompanyAcceptance,
    financecompanyacceptance: BillType.FinanceCompanyAcceptance,
    commercial: BillType.CommercialAcceptance,
    commercialacceptance: BillType.CommercialAcceptance,
  };
  const type = aliases[name.trim().toLowerCase().replace(/[-_ ]/g, "")];
  if (type === undefined) throw new Error(`unknown bill type "${name}" (use bank, finance or commercial)`);
  return type;
}

export interface IssueInput {
  billType: BillType;
  acceptor: string;
  payee: string;
  /** Face amount in fen. */
  face: bigint;
  maturityDay: number;
  /** The trade background document (contract, invoice); only its hash goes on chain. */
  tradeBackground?: string;
  /** Instead of the background's hash: the commitment of the bill's sealed envelope (see confidential.ts). */
  tradeHash?: string;
  notTransferable?: boolean;
  splittable?: boolean;
}

/** The ledger's `IssueParams` for `input`: `tradeHash` is the envelope's commitment, or the background's hash. */
export function issueParams(input: IssueInput) {
  if ((input.tradeHash === undefined) === (input.tradeBackground === undefined)) {
    throw new Error("give the trade background (its hash goes on chain) or the sealed terms' commitment, not both");
  }
  return {
    billType: input.billType,
    acceptor: input.acceptor,
    payee: input.payee,
    face: input.face,
    maturityDay: input.maturityDay,
    tradeHash: input.tradeHash ?? ethers.id(input.tradeBackground!),
    notTransferable: input.notTransferable ?? false,
    splittable: input.splittable ?? true,
  };
}

/** The drawer (`ledger`'s signer) issues a bill; returns its id. */
export async function issueBill(ledger: BillLedger, input: IssueInput) {
  const receipt = await mined(ledger.issue(issueParams(input)));
  const event = receipt!.logs
    .map((log) => ledger.interface.parseLog(log))
    .find((parsed) => parsed?.name === "BillIssued");
  return { billId: event!.args.billId as bigint, receipt };
}

/** Sends, waits for the receipt, bounded in time (`tasks/lib/tx.ts`). */
export { mined };

export const presentForAcceptance = (ledger: BillLedger, billId: bigint) => mined(ledger.presentForAcceptance(billId));
export const presentForReceipt = (ledger: BillLedger, billId: bigint) => mined(ledger.presentForReceipt(billId));
export const endorse = (
  ledger: BillLedger,
  billId: bigint,
  start: bigint,
  amount: bigint,
  endorsee: string,
  noRecourse = false,
) => mined(ledger.endorse(billId, start, amount, endorsee, noRecourse));
export const pledge = (ledger: BillLedger, billId: bigint, start: bigint, amount: bigint, creditor: string) =>
  mined(ledger.pledge(billId, start, amount, creditor));
export const requestGuarantee = (
  ledger: BillLedger,
  billId: bigint,
  start: bigint,
  amount: bigint,
  guarantor: string,
) => mined(ledger.requestGuarantee(billId, start, amount, guarantor));
/**
 * The counterparty signs the pending application, committing to the terms it reads now (zero if nothing is
 * pending: the ledger then says why it may not sign).
 */
export async function sign(ledger: BillLedger, billId: bigint, start: bigint) {
  return mined(ledger.sign(billId, start, await ledger.applicationTerms(billId, start)));
}
export const reject = (ledger: BillLedger, billId: bigint, start: bigint) => mined(ledger.reject(billId, start));
export const withdraw = (ledger: BillLedger, billId: bigint, start: bigint) => mined(ledger.withdraw(billId, start));
export const clear = (ledger: BillLedger, billId: bigint, start: bigint) => mined(ledger.clear(billId, start));
export const releasePledge = (ledger: BillLedger, billId: bigint, start: bigint) =>
  mined(ledger.releasePledge(billId, start));
export const freezeRange = (ledger: BillLedger, billId: bigint, start: bigint, amount: bigint) =>
  mined(ledger.freeze(billId, start, amount));
export const unfreezeRange = (ledger: BillLedger, billId: bigint, start: bigint) =>
  mined(ledger.unfreeze(billId, start));

export interface RangeView {
  billId: bigint;
  start: bigint;
  end: bigint;
  units: bigint;
  holder: string;
  state: string;
  pendingAct: string;
  counterparty: string;
  deadline: bigint;
}

type RangeResult = Awaited<ReturnType<BillLedger["rangeAt"]>>;

export function toRangeView(r: RangeResult): RangeView {
  return {
    billId: r.billId,
    start: r.start,
    end: r.end,
    units: r.end - r.start + 1n,
    holder: r.holder,
    state: RangeState[Number(r.state)],
    pendingAct: Act[Number(r.pendingAct)],
    counterparty: r.counterparty,
    deadline: r.deadline,
  };
}

/** Every range of a bill, in unit order (follows the ledger's pages), as of `blockTag`. */
export async function rangesOfBill(
  ledger: BillLedger,
  billId: bigint,
  pageSize = 100n,
  blockTag: number | "latest" = "latest",
): Promise<RangeView[]> {
  const out: RangeView[] = [];
  let cursor = 1n;
  while (cursor !== 0n) {
    const [page, next] = await ledger.rangesOfBill(billId, cursor, pageSize, { blockTag });
    out.push(...page.map(toRangeView));
    cursor = next;
  }
  return out;
}

/** Every range `holder` holds, the ledger read `rangesPerPage` ranges per call. */
export async function rangesOf(ledger: BillLedger, holder: string, rangesPerPage = 500n): Promise<RangeView[]> {
  const out: RangeView[] = [];
  let cursor = 0n;
  do {
    const [page, next] = await ledger.rangesOf(holder, cursor, rangesPerPage);
    out.push(...page.map(toRangeView));
    cursor = next;
  } while (cursor !== 0n);
  return out;
}

/** Every event about `billId` of the ledger (and of `others`, e.g. the payments contract), parsed, in order. */
async function billEvents(ledger: BillLedger, billId: bigint, ...others: BaseContract[]) {
  const contracts: BaseContract[] = [ledger, ...others];
  const byAddress = new Map<string, BaseContract>();
  for (const c of contracts) byAddress.set((await c.getAddress()).toLowerCase(), c);
  const logs = await ledger.runner!.provider!.getLogs({
    address: [...byAddress.keys()],
    topics: [null, ethers.toBeHex(billId, 32)],
    fromBlock: 0,
  });
  return logs.map((log) => ({ log, parsed: byAddress.get(log.address.toLowerCase())!.interface.parseLog(log)! }));
}

/** A bill's terms as people read them. */
export interface BillTerms {
  billId: bigint;
  billType: string;
  drawer: string;
  acceptor: string;
  payee: string;
  face: bigint;
  issueDate: string;
  maturityDate: string;
  tradeHash: string;
  notTransferable: boolean;
  splittable: boolean;
}

/** The rows of a bill's terms, for `table`. */
export function billRows(b: BillTerms): { field: string; value: string }[] {
  return [
    { field: "bill", value: String(b.billId) },
    { field: "type", value: b.billType },
    { field: "drawer", value: b.drawer },
    { field: "acceptor", value: b.acceptor },
    { field: "payee", value: b.payee },
    { field: "face (CNY)", value: formatCny(b.face) },
    { field: "issued", value: b.issueDate },
    { field: "matures", value: b.maturityDate },
    { field: "not transferable", value: b.notTransferable ? "yes" : "no" },
    { field: "splittable", value: b.splittable ? "yes" : "no" },
  ];
}

/** The ledger's `Bill`, or the arguments of its `BillIssued` event, as people read them. */
export function billTermsOf(
  billId: bigint,
  b: {
    billType: bigint | number;
    drawer: string;
    acceptor: string;
    payee: string;
    face: bigint;
    issueDay: bigint | number;
    maturityDay: bigint | number;
    tradeHash: string;
    notTransferable: boolean;
    splittable: boolean;
  },
): BillTerms {
  return {
    billId,
    billType: BillType[Number(b.billType)],
    drawer: b.drawer,
    acceptor: b.acceptor,
    payee: b.payee,
    face: b.face,
    issueDate: isoFromDay(b.issueDay),
    maturityDate: isoFromDay(b.maturityDay),
    tradeHash: b.tradeHash,
    notTransferable: b.notTransferable,
    splittable: b.splittable,
  };
}

export interface BillView extends BillTerms {
  ranges: RangeView[];
  history: HistoryEntry[];
}

/** A bill's terms, its ranges and the history of every act on it, from the ledger's events. */
/** `payments`, when given, adds presentation, payment, dishonour and recourse to the history. */
export async function showBill(ledger: BillLedger, billId: bigint, payments?: BaseContract): Promise<BillView> {
  const terms = await ledger.bill(billId);
  const history = (await billEvents(ledger, billId, ...(payments ? [payments] : []))).map(({ log, parsed }) =>
    historyEntry(log, parsed, ["billId"]),
  );
  return {
    ...billTermsOf(billId, terms),
    ranges: await rangesOfBill(ledger, billId),
    history,
  };
}

export interface ChainLink {
  kind: LinkKind;
  party: string;
  noRecourse: boolean;
}

const coder = ethers.AbiCoder.defaultAbiCoder();
const low96 = (hash: string) => BigInt(hash) & ((1n << 96n) - 1n);

/** The ledger's chain commitment, computed off chain: the genesis of `billId` extended by each link. */
export function chainCommitment(billId: bigint, links: ChainLink[]): bigint {
  let chain = low96(ethers.keccak256(coder.encode(["string", "uint256"], ["bill-dvp:chain", billId])));
  for (const link of links) {
    chain = low96(
      ethers.keccak256(
        coder.encode(["uint96", "uint8", "address", "bool"], [chain, link.kind, link.party, link.noRecourse]),
      ),
    );
  }
  return chain;
}

/**
 * The liability chain of the range of `billId` starting at `start`, rebuilt from the ledger's events (endorsements,
 * guarantees, splits) and checked against the commitment the ledger keeps for the range. After recourse the
 * range carries only the part of the chain before the party that paid: the longest prefix that matches.
 */
export async function liabilityChain(ledger: BillLedger, billId: bigint, start: bigint): Promise<ChainLink[]> {
  const chains = new Map<bigint, ChainLink[]>([[1n, []]]);
  // Positional arguments: RangeSplit(billId, start, at), Endorsed(billId, start, endorser, endorsee, noRecourse),
  // Guaranteed(billId, start, guarantor).
  for (const { parsed } of await billEvents(ledger, billId)) {
    const a = parsed.args;
    if (parsed.name === "RangeSplit") {
      chains.set(a[2] as bigint, [...(chains.get(a[1] as bigint) ?? [])]);
    } else if (parsed.name === "Endorsed") {
      chains
        .get(a[1] as bigint)!
        .push({ kind: LinkKind.Endorsement, party: a[2] as string, noRecourse: a[4] as boolean });
    } else if (parsed.name === "Guaranteed") {
      chains.get(a[1] as bigint)!.push({ kind: LinkKind.Guarantee, party: a[2] as string, noRecourse: false });
    }
  }
  const links = chains.get(start) ?? [];
  const { chain } = await ledger.rangeAt(billId, start);
  for (let length = links.length; length >= 0; length--) {
    const prefix = links.slice(0, length);
    if (chainCommitment(billId, prefix) === chain) return prefix;
  }
  throw new Error(`the events do not rebuild the liability chain of bill ${billId} range ${start}`);
}
