import { scope } from "hardhat/config";
import {
  billRows,
  clear,
  dayFromIso,
  endorse,
  freezeRange,
  issueBill,
  issueParams,
  parseBillType,
  pledge,
  presentForAcceptance,
  presentForReceipt,
  rangesOf,
  reject,
  releasePledge,
  requestGuarantee,
  showBill,
  sign,
  unfreezeRange,
  mined,
  withdraw,
  type RangeView,
} from "./lib/bills";
import { commonParams, runCommand, type CommonArgs } from "./lib/cli";
import { issueSealedBill, readConfidentialFile } from "./lib/confidential";
import type { Platform } from "./lib/deployment";
import {
  claimRecourse,
  declareDishonoured,
  dishonour,
  payBill,
  payRecourse,
  presentForPayment,
  withdrawClaim,
} from "./lib/payments";
import { parseCount } from "./lib/inputs";
import { formatCny, parseCny } from "./lib/money";
import { historyTable, table } from "./lib/output";
import type { BillLedger } from "../typechain-types";

const bill = scope(
  "bill",
  "Bills: issue, present, endorse, pledge, guarantee, answer, freeze, pay, dishonour, recourse, show, list",
);

interface RangeArgs extends CommonArgs {
  bill: string;
  start: string;
}

/** `amount` (CNY) as units, or the whole range when it is not given. */
async function unitsToTake(ledger: BillLedger, billId: bigint, start: bigint, amount?: string) {
  if (amount !== undefined) return parseCny(amount, "--amount");
  const range = await ledger.rangeAt(billId, start);
  return range.end - start + 1n;
}

const rangeRows = (ranges: RangeView[]) =>
  table(
    ranges.map((r) => ({
      bill: r.billId,
      units: `${r.start}..${r.end}`,
      "face (CNY)": formatCny(r.units),
      holder: r.holder,
      state: r.state,
      pending: r.pendingAct === "None" ? "-" : `${r.pendingAct} → ${r.counterparty}`,
    })),
  );

const done = (what: string) => (r: { hash?: string } | null | unknown) =>
  `${what} (tx ${(r as { hash?: string } | null)?.hash})`;

commonParams(
  bill
    .task("issue", "Draw a bill (drawer)")
    .addParam("type", "bank | finance | commercial acceptance")
    .addParam("acceptor", "acceptor wallet (a bank, a finance company or an enterprise, by type)")
    .addParam("payee", "payee wallet")
    .addParam("face", "face amount in CNY, e.g. 1200000.00")
    .addParam("maturity", "maturity date, e.g. 2027-03-31 (China Standard Time)")
    .addOptionalParam(
      "background",
      "trade background reference (contract or invoice number); only its hash goes on chain",
    )
    .addOptionalParam(
      "confidential",
      "instead of --background: a JSON file of the trade background, sealed for drawer, acceptor, payee and " +
        "regulator, posted; its commitment is the bill's trade hash",
    )
    .addFlag("notTransferable", "the drawer's mark: no endorsement")
    .addFlag("whole", "not splittable: acts take whole holdings only"),
).setAction(
  async (
    args: CommonArgs & {
      type: string;
      acceptor: string;
      payee: string;
      face: string;
      maturity: string;
      background?: string;
      confidential?: string;
      notTransferable: boolean;
      whole: boolean;
    },
    hre,
  ) =>
    runCommand(
      hre,
      args,
      async (platform) => {
        const { billLedger } = platform;
        if ((args.background === undefined) === (args.confidential === undefined)) {
          throw new Error("give the trade background with --background, or sealed with --confidential <file>");
        }
        const input = {
          billType: parseBillType(args.type),
          acceptor: args.acceptor,
          payee: args.payee,
          face: parseCny(args.face, "--face"),
          maturityDay: dayFromIso(args.maturity),
          tradeBackground: args.background,
          notTransferable: args.notTransferable,
          splittable: !args.whole,
        };
        if (args.confidential !== undefined) {
          return issueSealedBill(platform, input, readConfidentialFile(args.confidential));
        }
        const { billId, receipt } = await issueBill(billLedger, input);
        return { billId, tx: receipt?.hash, tradeHash: issueParams(input).tradeHash, envelopeTx: undefined };
      },
      (r) =>
        [
          ...(r.envelopeTx ? [`posted the sealed trade background under ${r.tradeHash} (tx ${r.envelopeTx})`] : []),
          `issued bill ${r.billId} (tx ${r.tx})`,
        ].join("\n"),
    ),
);

const billTask = (name: string, description: string, act: (l: BillLedger, id: bigint) => Promise<unknown>) =>
  commonParams(bill.task(name, description).addParam("bill", "bill id")).setAction(
    async (args: CommonArgs & { bill: string }, hre) =>
      runCommand(
        hre,
        args,
        ({ billLedger }) => act(billLedger, parseCount(args.bill, "--bill")),
        done(`${name}: bill ${args.bill}`),
      ),
  );

billTask("present-acceptance", "Present the bill to its acceptor (drawer)", presentForAcceptance);
billTask("present-receipt", "Present the accepted bill to its payee (drawer)", presentForReceipt);

const partTask = (
  name: string,
  description: string,
  counterpartyName: string,
  act: (
    l: BillLedger,
    id: bigint,
    start: bigint,
    amount: bigint,
    counterparty: string,
    flag: boolean,
  ) => Promise<unknown>,
  flag?: [string, string],
) => {
  let t = bill
    .task(name, description)
    .addParam("bill", "bill id")
    .addParam("start", "first unit of your holding")
    .addOptionalParam("amount", "CNY to take from the start of the holding (default: the whole holding)")
    .addParam(counterpartyName, `${counterpartyName} wallet`);
  if (flag) t = t.addFlag(flag[0], flag[1]);
  commonParams(t).setAction(async (args: RangeArgs & Record<string, string | boolean | undefined>, hre) =>
    runCommand(
      hre,
      args,
      async ({ billLedger }) => {
        const billId = parseCount(args.bill, "--bill");
        const start = parseCount(args.start, "--start");
        const units = await unitsToTake(billLedger, billId, start, args.amount as string | undefined);
        return act(
          billLedger,
          billId,
          start,
          units,
          String(args[counterpartyName]),
          flag ? Boolean(args[flag[0]]) : false,
        );
      },
      done(`${name} applied: bill ${args.bill} from unit ${args.start}`),
    ),
  );
};

partTask("endorse", "Apply to endorse (part of) a holding to an enterprise (holder)", "endorsee", endorse, [
  "noRecourse",
  "your not-transferable mark: later holders have no recourse against you",
]);
partTask("pledge", "Apply to pledge (part of) a holding to a creditor (holder)", "creditor", (l, id, s, a, c) =>
  pledge(l, id, s, a, c),
);
partTask("guarantee", "Ask a guarantor to guarantee (part of) a holding (holder)", "guarantor", (l, id, s, a, c) =>
  requestGuarantee(l, id, s, a, c),
);

const answerTask = (
  name: string,
  description: string,
  act: (l: BillLedger, id: bigint, s: bigint) => Promise<unknown>,
) =>
  commonParams(
    bill.task(name, description).addParam("bill", "bill id").addParam("start", "first unit of the range"),
  ).setAction(async (args: RangeArgs, hre) =>
    runCommand(
      hre,
      args,
      ({ billLedger }) => act(billLedger, parseCount(args.bill, "--bill"), parseCount(args.start, "--start")),
      done(`${name}: bill ${args.bill} range from ${args.start}`),
    ),
  );

answerTask("sign", "Sign the pending application on a range (its counterparty)", sign);
answerTask("reject", "Reject the pending application on a range (its counterparty)", reject);
answerTask("withdraw", "Withdraw your pending application (applicant)", withdraw);
answerTask("clear", "Clear out an application left unanswered past its deadline (anyone)", clear);
answerTask("release", "Release your pledge (creditor)", releasePledge);
answerTask("unfreeze", "Lift the freeze of a range (regulator)", unfreezeRange);

commonParams(
  bill
    .task("freeze", "Freeze (part of) a range by judicial order (regulator)")
    .addParam("bill", "bill id")
    .addParam("start", "first unit of the range")
    .addOptionalParam("amount", "CNY to freeze from the start of the range (default: the whole range)"),
).setAction(async (args: RangeArgs & { amount?: string }, hre) =>
  runCommand(
    hre,
    args,
    async ({ billLedger }) => {
      const billId = parseCount(args.bill, "--bill");
      const start = parseCount(args.start, "--start");
      return freezeRange(billLedger, billId, start, await unitsToTake(billLedger, billId, start, args.amount));
    },
    done(`froze bill ${args.bill} from unit ${args.start}`),
  ),
);

commonParams(bill.task("show", "A bill's terms, ranges and history").addParam("bill", "bill id")).setAction(
  async (args: CommonArgs & { bill: string }, hre) =>
    runCommand(
      hre,
      args,
      ({ billLedger, billPayments }) => showBill(billLedger, parseCount(args.bill, "--bill"), billPayments),
      (b) => [table(billRows(b)), "", rangeRows(b.ranges), "", historyTable(b.history)].join("\n"),
    ),
);

commonParams(bill.task("list", "The ranges a wallet holds").addParam("holder", "wallet")).setAction(
  async (args: CommonArgs & { holder: string }, hre) =>
    runCommand(hre, args, ({ billLedger }) => rangesOf(billLedger, args.holder), rangeRows),
);

const paymentTask = (
  name: string,
  description: string,
  act: (platform: Platform, billId: bigint, start: bigint, args: Record<string, string>) => Promise<unknown>,
  extra: [string, string][] = [],
) => {
  let t = bill.task(name, description).addParam("bill", "bill id").addParam("start", "first unit of the range");
  for (const [param, text] of extra) t = t.addParam(param, text);
  commonParams(t).setAction(async (args: RangeArgs & Record<string, string>, hre) =>
    runCommand(
      hre,
      args,
      (platform) => act(platform, parseCount(args.bill, "--bill"), parseCount(args.start, "--start"), args),
      done(`${name}: bill ${args.bill} range from ${args.start}`),
    ),
  );
};

paymentTask("present-payment", "Present your range for payment, from the maturity day (holder)", (p, id, s) =>
  presentForPayment(p.billPayments, id, s),
);
paymentTask("pay", "Pay a presented range: approves and pays its face amount (acceptor)", (p, id, s) =>
  payBill(p.billPayments, p.billLedger, p.digitalCurrency, id, s),
);
paymentTask(
  "dishonour",
  "Refuse to pay a presented range (acceptor)",
  (p, id, s, args) => dishonour(p.billPayments, id, s, Number(args.reason)),
  [["reason", "reason code, 1-255 (0 is reserved for no answer)"]],
);
paymentTask(
  "declare-dishonour",
  "Declare a range dishonoured after the acceptor's answer window (holder)",
  (p, id, s) => declareDishonoured(p.billPayments, id, s),
);
paymentTask(
  "claim",
  "Claim recourse from a liable party; the chain is rebuilt from events (holder of a dishonoured range)",
  (p, id, s, args) => claimRecourse(p.billPayments, p.billLedger, id, s, args.target),
  [["target", "the liable party's wallet"]],
);
paymentTask("pay-claim", "Pay the recourse claimed from you and take the range (the claimed party)", (p, id, s) =>
  payRecourse(p.billPayments, p.billLedger, p.digitalCurrency, id, s),
);
paymentTask("withdraw-claim", "Withdraw your pending recourse claim (holder)", (p, id, s) =>
  withdrawClaim(p.billPayments, id, s),
);
paymentTask(
  "dishonour-bankrupt",
  "Treat your range as dishonoured because its acceptor is flagged bankrupt, before maturity if need be (holder)",
  (p, id, s) => mined(p.billPayments.dishonourForBankruptcy(id, s)),
);

commonParams(
  bill
    .task("set-bankrupt", "Flag an acceptor bankrupt by court ruling, or lift it with --lift (ledger admin)")
    .addParam("acceptor", "acceptor wallet")
    .addFlag("lift", "lift the flag"),
).setAction(async (args: CommonArgs & { acceptor: string; lift: boolean }, hre) =>
  runCommand(
    hre,
    args,
    async ({ billLedger }) => mined(billLedger.setAcceptorBankrupt(args.acceptor, !args.lift)),
    done(`${args.lift ? "lifted the bankruptcy flag of" : "flagged bankrupt:"} ${args.acceptor}`),
  ),
);
