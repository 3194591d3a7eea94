import { scope } from "hardhat/config";
import type { ConfigurableTaskDefinition } from "hardhat/types";
import { billRows } from "./lib/bills";
import { commonParams, runCommand, type CommonArgs } from "./lib/cli";
import { formatCny } from "./lib/money";
import { historyTable, table } from "./lib/output";
import {
  acceptBatch,
  actOnTrade,
  isRepo,
  listTrades,
  offeredBill,
  parseKind,
  proposeTrade,
  quoteDiscount,
  quoteRepo,
  settleBatch,
  settleOrder,
  showTrade,
  signOrder,
  tradeRows,
  type ActResult,
  type DiscountQuote,
  type RepoQuote,
  type TermsOptions,
  type TradeAct,
  type TradeView,
} from "./lib/trades";

const dvp = scope(
  "dvp",
  "Delivery versus payment: propose, accept, reject, withdraw, clear, sign, settle, batch, quote, show, list",
);
const repo = scope("repo", "Repos on the settlement engine: open, close, default");

/** The options that describe a trade's terms (`--kind` is added by each task). */
function termsParams(task: ConfigurableTaskDefinition): ConfigurableTaskDefinition {
  return task
    .addOptionalParam("taker", "the counterparty's wallet (the acting wallet is the maker)")
    .addOptionalParam("bill", "bill id of the bill leg")
    .addOptionalParam("start", "first unit of the bill leg (the start of a range the bill side holds)")
    .addOptionalParam("units", "units of the bill leg, 1 unit = CNY 0.01 of face (default: the whole range)")
    .addOptionalParam(
      "price",
      "cash leg in CNY; for a pledge repo the principal (default for priced kinds: from --rate)",
    )
    .addOptionalParam("rate", "yearly rate, e.g. 2.5% (discount, rediscount, cbr, pledge-repo)")
    .addOptionalParam("side", "sell: the maker delivers the bill; buy: the maker delivers the cash", "sell")
    .addOptionalParam("valueDate", "settlement date, e.g. 2026-03-02 (default: today, China Standard Time)")
    .addOptionalParam("endDate", "repo closing date (a business day before maturity)")
    .addOptionalParam("closing", "outright repo: the repurchase price in CNY")
    .addOptionalParam("deadline", "seconds from now the trade stays open", "3600")
    .addOptionalParam("token", "cash token (default: the digital currency)")
    .addOptionalParam(
      "confidential",
      "a JSON file of confidential terms: sealed for maker, taker and regulator, posted, its commitment signed",
    );
}

/** The command-line arguments of the terms; `--confidential` names a file (`TermsOptions.confidential` is a hash). */
type TermsArgs = CommonArgs & Omit<TermsOptions, "confidentialFile">;

const termsOptions = (args: TermsArgs): TermsOptions => ({
  ...args,
  confidential: undefined,
  confidentialFile: args.confidential,
});

const txOf = (tx?: string) => (tx ? ` (tx ${tx})` : "");

/** The line about a sealed envelope posted with a trade, if any. */
const sealedLine = (t: TradeView, envelopeTx?: string) =>
  envelopeTx ? [`posted the sealed confidential terms under ${t.terms.confidential}${txOf(envelopeTx)}`] : [];

const proposed = (t: TradeView & { tx?: string; envelopeTx?: string }) =>
  [...sealedLine(t, t.envelopeTx), `proposed trade ${t.tradeId}${txOf(t.tx)}`, table(tradeRows(t))].join("\n");

commonParams(
  termsParams(
    dvp
      .task("propose", "Propose a trade; your leg is locked until the taker answers (maker)")
      .addParam("kind", "discount | rediscount | cbr | sale | swap | fop | pledge-repo | outright-repo"),
  ),
).setAction(async (args: TermsArgs, hre) =>
  runCommand(hre, args, (platform) => proposeTrade(platform, termsOptions(args)), proposed),
);

commonParams(
  termsParams(
    repo
      .task("open", "Propose a repo (the same options as dvp propose; --side sell: you are the borrower)")
      .addOptionalParam("kind", "pledge-repo | outright-repo", "pledge-repo"),
  ),
).setAction(async (args: TermsArgs, hre) =>
  runCommand(
    hre,
    args,
    async (platform) => {
      if (!isRepo(parseKind(args.kind))) throw new Error(`repo open takes --kind pledge-repo or outright-repo`);
      return proposeTrade(platform, termsOptions(args));
    },
    proposed,
  ),
);

const actLine = (verb: string) => (r: ActResult) => `${verb} trade ${r.tradeId}: now ${r.status}${txOf(r.tx)}`;

/** A repo close that could only tender says so: the repayment is held, the range is not back yet. */
const closeLine = (r: ActResult) =>
  r.status === "RepoTendered"
    ? `tendered the repayment of trade ${r.tradeId}: the engine holds it and the repo can no longer default; the ` +
      `ledger refused the range's return for now (paused, or the range frozen): run repo close again later${txOf(r.tx)}`
    : actLine("closed")(r);

const idTask = (
  scopeDef: typeof dvp,
  name: string,
  description: string,
  act: TradeAct,
  line: string | ((r: ActResult) => string),
) =>
  commonParams(scopeDef.task(name, description).addParam("id", "trade id")).setAction(
    async (args: CommonArgs & { id: string }, hre) =>
      runCommand(
        hre,
        args,
        (platform) => actOnTrade(platform, args.id, act),
        typeof line === "string" ? actLine(line) : line,
      ),
  );

idTask(dvp, "accept", "Accept a proposal: both legs move now (taker)", "accept", "accepted");
idTask(dvp, "reject", "Reject a proposal; the maker's leg goes back (taker)", "reject", "rejected");
idTask(dvp, "withdraw", "Withdraw your proposal before the answer (maker)", "withdraw", "withdrew");
idTask(dvp, "clear", "Clear out a proposal from its deadline (anyone)", "clear", "cleared");
idTask(
  dvp,
  "reclaim",
  "Take a refund the token refused when your proposal ended (maker), or a closed repo's repayment (lender)",
  "reclaim",
  "reclaimed",
);
idTask(
  repo,
  "close",
  "Tender the closing amount and take your range back, by the end date (borrower); again to finish a tendered close",
  "closeRepo",
  closeLine,
);
idTask(repo, "default", "Keep the range of a repo not closed by its end date (lender)", "defaultRepo", "defaulted");

commonParams(
  termsParams(
    dvp
      .task("sign", "Sign an order (EIP-712) into a file, or add your signature to an order file (maker or taker)")
      .addOptionalParam("kind", "discount | rediscount | cbr | sale | swap | fop | pledge-repo | outright-repo")
      .addOptionalParam("maker", "sign new terms as the taker of this maker (default: you are the maker)")
      .addOptionalParam("order", "an order file to add your signature to")
      .addOptionalParam("out", "the file to write the signed order to (default: --order)"),
  ),
).setAction(async (args: TermsArgs & { kind?: string; order?: string; out?: string }, hre) =>
  runCommand(
    hre,
    args,
    (platform) => {
      if (args.order !== undefined) {
        if (args.confidential !== undefined) {
          throw new Error("the order's terms are fixed: --confidential goes with new terms, not with --order");
        }
        return signOrder(platform, undefined, args.order, args.out);
      }
      if (args.kind === undefined) throw new Error("give --kind for new terms, or --order to sign an order file");
      return signOrder(platform, { ...termsOptions(args), kind: args.kind }, undefined, args.out);
    },
    (r) =>
      [
        ...sealedLine(r.trade, r.envelopeTx),
        `signed trade ${r.tradeId} as ${r.signedAs} into ${r.file} ` +
          `(maker signed: ${r.makerSigned ? "yes" : "no"}, taker signed: ${r.takerSigned ? "yes" : "no"})`,
        table(tradeRows(r.trade)),
      ].join("\n"),
  ),
);

commonParams(
  dvp
    .task("offered", "The bill of the maker's leg, read before you sign or accept: --order file or --id proposal")
    .addOptionalParam("order", "an order file")
    .addOptionalParam("id", "trade id of a live proposal"),
).setAction(async (args: CommonArgs & { order?: string; id?: string }, hre) =>
  runCommand(
    hre,
    args,
    (platform) => offeredBill(platform, args),
    (b) => table(billRows(b)),
  ),
);

commonParams(
  dvp
    .task("settle", "Settle a signed order (its maker, its taker or a settlement agent)")
    .addParam("order", "order file"),
).setAction(async (args: CommonArgs & { order: string }, hre) =>
  runCommand(hre, args, (platform) => settleOrder(platform, args.order), actLine("settled")),
);

commonParams(
  dvp
    .task("batch", "Settle signed orders (--orders) or accept proposals (--ids), all or none")
    .addOptionalParam("orders", "comma-separated order files (settled with token legs netted)")
    .addOptionalParam("ids", "comma-separated trade ids of proposals to accept (taker)"),
).setAction(async (args: CommonArgs & { orders?: string; ids?: string }, hre) =>
  runCommand(
    hre,
    args,
    (platform) => {
      const list = (text: string) =>
        text
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
      if (args.orders !== undefined && args.ids === undefined) return settleBatch(platform, list(args.orders));
      if (args.ids !== undefined && args.orders === undefined) return acceptBatch(platform, list(args.ids));
      throw new Error("give either --orders (signed order files) or --ids (proposals to accept)");
    },
    (r) =>
      [`settled ${r.tradeIds.length} trades together${txOf(r.tx)}`, ...r.tradeIds.map((id) => `  ${id}`)].join("\n"),
  ),
);

commonParams(
  dvp
    .task(
      "quote",
      "Price a discount (--bill --units --rate) or a pledge-repo repayment (--principal --end-date); sends nothing",
    )
    .addOptionalParam("bill", "bill id")
    .addOptionalParam("start", "first unit of a range of the bill: the units are checked against it")
    .addOptionalParam("units", "units to discount, 1 unit = CNY 0.01 of face (default: the whole face, or range)")
    .addParam("rate", "yearly rate, e.g. 2.5%")
    .addOptionalParam("valueDate", "settlement date, e.g. 2026-03-02 (default: today, China Standard Time)")
    .addOptionalParam("principal", "repo principal in CNY")
    .addOptionalParam("endDate", "repo closing date"),
).setAction(
  async (
    args: CommonArgs & {
      bill?: string;
      start?: string;
      units?: string;
      rate: string;
      valueDate?: string;
      principal?: string;
      endDate?: string;
    },
    hre,
  ) =>
    runCommand(
      hre,
      args,
      async (platform): Promise<DiscountQuote | RepoQuote> => {
        if (args.principal !== undefined) {
          if (args.endDate === undefined) throw new Error("a repo quote needs --end-date");
          return quoteRepo(platform, { ...args, principal: args.principal, endDate: args.endDate });
        }
        if (args.bill === undefined) throw new Error("give --bill (discount) or --principal and --end-date (repo)");
        return quoteDiscount(platform, { ...args, bill: args.bill });
      },
      (q) =>
        q.kind === "repo"
          ? table([
              { field: "principal (CNY)", value: formatCny(q.principal) },
              { field: "rate", value: q.rate },
              { field: "value date", value: q.valueDate },
              { field: "end date", value: q.endDate },
              { field: "days", value: q.days },
              { field: "interest (CNY)", value: formatCny(q.interest) },
              { field: "repayment (CNY)", value: formatCny(q.repayment) },
            ])
          : table([
              { field: "bill", value: q.billId },
              { field: "units", value: q.units },
              { field: "face (CNY)", value: formatCny(q.units) },
              { field: "rate", value: q.rate },
              { field: "value date", value: q.valueDate },
              { field: "maturity", value: q.maturityDate },
              { field: "rolled maturity", value: q.rolledMaturityDate },
              { field: "days", value: q.days },
              { field: "interest (CNY)", value: formatCny(q.interest) },
              { field: "proceeds (CNY)", value: formatCny(q.proceeds) },
            ]),
    ),
);

commonParams(dvp.task("show", "A trade's terms, status, refund owed and history").addParam("id", "trade id")).setAction(
  async (args: CommonArgs & { id: string }, hre) =>
    runCommand(
      hre,
      args,
      (platform) => showTrade(platform, args.id),
      (t) => [table(tradeRows(t)), "", historyTable(t.history)].join("\n"),
    ),
);

commonParams(
  dvp
    .task("list", "Trades proposed or settled on the engine, with their status")
    .addOptionalParam("account", "only the trades where this wallet is maker or taker"),
).setAction(async (args: CommonArgs & { account?: string }, hre) =>
  runCommand(
    hre,
    args,
    (platform) => listTrades(platform, args.account),
    (rows) =>
      table(
        rows.map((r) => ({
          trade: r.tradeId,
          kind: r.kind,
          status: r.status,
          maker: r.maker,
          taker: r.taker,
          "maker gives": r.makerGives,
          "taker gives": r.takerGives,
          "value date": r.valueDate,
          signed: r.signed ? "yes" : "no",
        })),
      ),
  ),
);
