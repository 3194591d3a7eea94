import { scope } from "hardhat/config";
import type { ConfigurableTaskDefinition } from "hardhat/types";
import { ethers } from "ethers";
import { audit, renderAudit } from "./lib/audit";
import { commonParams, runCommand, type CommonArgs } from "./lib/cli";
import { loadPrivateKeys, publicKeyFromOptions, VIEW_KEY_ENV } from "./lib/confidential";
import { entityRows } from "./lib/identity";
import { formatCny } from "./lib/money";
import { table } from "./lib/output";
import {
  blockRange,
  entityReport,
  freezeOrder,
  listBills,
  listRegulatorTrades,
  refuseKeyOfAnother,
  rotateViewKey,
  type FreezeOrder,
} from "./lib/regulator";

const regulator = scope(
  "regulator",
  "The regulator's reports and orders: bills, trades, entity, freeze, unfreeze, rotate-key, audit",
);

interface RangeArgs extends CommonArgs {
  fromBlock?: string;
  toBlock?: string;
}

const rangeParams = (task: ConfigurableTaskDefinition) =>
  task
    .addOptionalParam("fromBlock", "first block of the range (default: 0)")
    .addOptionalParam("toBlock", "last block of the range; state is read as of it (default: the latest)");

commonParams(
  rangeParams(
    regulator.task("bills", "Every bill with its ranges, read through the ledger (public: any wallet may run it)"),
  ),
).setAction(async (args: RangeArgs, hre) =>
  runCommand(
    hre,
    args,
    async (platform) => listBills(platform, await blockRange(platform, args.fromBlock, args.toBlock)),
    (bills) =>
      [
        table(
          bills.map((b) => ({
            bill: b.billId,
            type: b.billType,
            drawer: b.drawer,
            acceptor: b.acceptor,
            payee: b.payee,
            "face (CNY)": formatCny(b.face),
            issued: b.issueDate,
            matures: b.maturityDate,
            ranges: b.ranges.length,
          })),
        ),
        "",
        table(
          bills.flatMap((b) =>
            b.ranges.map((r) => ({
              bill: r.billId,
              units: `${r.start}..${r.end}`,
              "face (CNY)": formatCny(r.units),
              holder: r.holder,
              state: r.state,
              pending: r.pendingAct === "None" ? "-" : `${r.pendingAct} → ${r.counterparty}`,
            })),
          ),
        ),
      ].join("\n"),
  ),
);

commonParams(
  rangeParams(regulator.task("trades", "Every trade with an event in the range, and its status (public: any wallet)")),
).setAction(async (args: RangeArgs, hre) =>
  runCommand(
    hre,
    args,
    async (platform) => listRegulatorTrades(platform, await blockRange(platform, args.fromBlock, args.toBlock)),
    (trades) =>
      table(
        trades.map((t) => ({
          trade: t.tradeId,
          kind: t.kind,
          status: t.status,
          maker: t.maker,
          taker: t.taker,
          "maker gives": t.makerGives,
          "taker gives": t.takerGives,
          "value date": t.valueDate,
          events: t.events.map((e) => e.event).join(","),
          sealed: t.confidential === ethers.ZeroHash ? "-" : t.confidential,
        })),
      ),
  ),
);

commonParams(
  regulator
    .task("entity", "An entity's identity record, wallets, balances, freezes and bill holdings (public: any wallet)")
    .addOptionalParam("id", "entity id (0x + 64 hex) or unified social credit code")
    .addOptionalParam("wallet", "or one of the entity's wallets"),
).setAction(async (args: CommonArgs & { id?: string; wallet?: string }, hre) =>
  runCommand(
    hre,
    args,
    (platform) => entityReport(platform, args),
    (e) =>
      [
        table([
          ...entityRows(e),
          {
            field: "envelope key",
            value: e.envelopeKey ? `${e.envelopeKey.publicKey} (version ${e.envelopeKey.version})` : "none",
          },
        ]),
        "",
        table(
          e.wallets.map((w) => ({
            wallet: w.account,
            "balance (CNY)": formatCny(w.balance),
            "frozen (CNY)": formatCny(w.frozenAmount),
            "available (CNY)": formatCny(w.available),
            "account frozen": w.accountFrozen ? "yes" : "no",
            ranges: w.ranges.length,
            "bill face (CNY)": formatCny(w.billUnits),
          })),
        ),
      ].join("\n"),
  ),
);

const freezeTask = (name: "freeze" | "unfreeze", lift: boolean, description: string) =>
  commonParams(
    regulator
      .task(name, description)
      .addOptionalParam("account", "a currency account")
      .addOptionalParam("amount", "with --account: CNY of it (default: the whole account)")
      .addOptionalParam("bill", "a bill id (with --start)")
      .addOptionalParam("start", "first unit of the range")
      .addOptionalParam("units", "freeze: units from --start (default: the whole range)"),
  ).setAction(async (args: CommonArgs & FreezeOrder, hre) =>
    runCommand(
      hre,
      args,
      (platform) => freezeOrder(platform, args, lift),
      (r) => `${r.what} (tx ${r.tx})`,
    ),
  );

freezeTask("freeze", false, "Freeze a currency account, an amount of it, or a bill range, by order (regulator)");
freezeTask("unfreeze", true, "Lift a freeze of a currency account, release an amount, or a bill range (regulator)");

commonParams(
  regulator
    .task("rotate-key", "Publish a new view key: envelopes sealed from now on are sealed for it (regulator)")
    .addOptionalParam("keyFile", "key file made by `keys new` (password from BILL_DVP_KEY_PASSWORD)")
    .addOptionalParam("publicKey", "or the compressed public key itself"),
).setAction(async (args: CommonArgs & { keyFile?: string; publicKey?: string }, hre) =>
  runCommand(
    hre,
    args,
    async (platform) => {
      const publicKey = await publicKeyFromOptions(args);
      await refuseKeyOfAnother(platform, publicKey);
      return rotateViewKey(platform, publicKey);
    },
    (r) => `view key version ${r.version} is now ${r.publicKey} (tx ${r.tx})`,
  ),
);

commonParams(
  rangeParams(
    regulator
      .task(
        "audit",
        "Bills, acts, trades, volumes, frozen assets and sealed envelopes of a block range, opened with the view " +
          "keys (regulator)",
      )
      .addOptionalParam(
        "keyFile",
        `view key files, comma-separated, any versions (password from BILL_DVP_KEY_PASSWORD); default: the hex ` +
          `keys in ${VIEW_KEY_ENV}, if set`,
      )
      .addFlag("noKeys", "do not open envelopes (find and list them only)"),
  ),
).setAction(async (args: RangeArgs & { keyFile?: string; noKeys: boolean }, hre) =>
  runCommand(
    hre,
    args,
    async (platform) => {
      const range = await blockRange(platform, args.fromBlock, args.toBlock);
      const haveKeys = args.keyFile !== undefined || (process.env[VIEW_KEY_ENV] ?? "").trim() !== "";
      const viewKeys = args.noKeys || !haveKeys ? undefined : await loadPrivateKeys({ keyFiles: args.keyFile });
      return audit(platform, range, { viewKeys });
    },
    renderAudit,
  ),
);
