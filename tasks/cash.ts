import { scope } from "hardhat/config";
import { balanceOf, burn, freeze, mint, pause, transfer, unfreeze, unpause } from "./lib/cash";
import { commonParams, runCommand, type CommonArgs } from "./lib/cli";
import { formatCny, parseCny } from "./lib/money";
import { table } from "./lib/output";

const cash = scope("cash", "Digital currency: mint, burn, transfer, balance, freeze, unfreeze, pause, unpause");

interface AmountArgs extends CommonArgs {
  amount: string;
}

const txLine = (what: string) => (r: { hash: string } | null) => `${what} (tx ${r?.hash})`;

commonParams(
  cash
    .task("mint", "Issue new money to a verified wallet (central bank)")
    .addParam("to", "recipient wallet")
    .addParam("amount", "amount in CNY, e.g. 1000000.00"),
).setAction(async (args: AmountArgs & { to: string }, hre) =>
  runCommand(
    hre,
    args,
    ({ digitalCurrency }) => mint(digitalCurrency, args.to, parseCny(args.amount, "--amount")),
    txLine(`minted ${args.amount} to ${args.to}`),
  ),
);

commonParams(
  cash.task("burn", "Redeem money from the central bank's own balance (central bank)").addParam("amount", "CNY"),
).setAction(async (args: AmountArgs, hre) =>
  runCommand(
    hre,
    args,
    ({ digitalCurrency }) => burn(digitalCurrency, parseCny(args.amount, "--amount")),
    txLine(`burned ${args.amount}`),
  ),
);

commonParams(
  cash
    .task("transfer", "Pay a verified wallet from the acting wallet")
    .addParam("to", "recipient wallet")
    .addParam("amount", "amount in CNY"),
).setAction(async (args: AmountArgs & { to: string }, hre) =>
  runCommand(
    hre,
    args,
    ({ digitalCurrency }) => transfer(digitalCurrency, args.to, parseCny(args.amount, "--amount")),
    txLine(`transferred ${args.amount} to ${args.to}`),
  ),
);

commonParams(
  cash.task("balance", "Balance, frozen amount and available amount of an account").addParam("account", "wallet"),
).setAction(async (args: CommonArgs & { account: string }, hre) =>
  runCommand(
    hre,
    args,
    ({ digitalCurrency }) => balanceOf(digitalCurrency, args.account),
    (b) =>
      table([
        {
          account: b.account,
          balance: formatCny(b.balance),
          frozen: formatCny(b.frozenAmount),
          available: formatCny(b.available),
          "account frozen": b.accountFrozen ? "yes" : "no",
        },
      ]),
  ),
);

commonParams(
  cash
    .task("freeze", "Freeze an account, or an amount of it with --amount (regulator)")
    .addParam("account", "wallet")
    .addOptionalParam("amount", "CNY to freeze; omit to freeze the whole account"),
).setAction(async (args: CommonArgs & { account: string; amount?: string }, hre) =>
  runCommand(
    hre,
    args,
    ({ digitalCurrency }) =>
      freeze(digitalCurrency, args.account, args.amount === undefined ? undefined : parseCny(args.amount, "--amount")),
    txLine(args.amount === undefined ? `froze account ${args.account}` : `froze ${args.amount} of ${args.account}`),
  ),
);

commonParams(
  cash
    .task("unfreeze", "Lift an account freeze, or release an amount with --amount (regulator)")
    .addParam("account", "wallet")
    .addOptionalParam("amount", "CNY to release; omit to lift the account freeze"),
).setAction(async (args: CommonArgs & { account: string; amount?: string }, hre) =>
  runCommand(
    hre,
    args,
    ({ digitalCurrency }) =>
      unfreeze(
        digitalCurrency,
        args.account,
        args.amount === undefined ? undefined : parseCny(args.amount, "--amount"),
      ),
    txLine(
      args.amount === undefined ? `unfroze account ${args.account}` : `released ${args.amount} of ${args.account}`,
    ),
  ),
);

commonParams(cash.task("pause", "Stop all movement of money (pauser)")).setAction(async (args: CommonArgs, hre) =>
  runCommand(hre, args, ({ digitalCurrency }) => pause(digitalCurrency), txLine("paused")),
);

commonParams(cash.task("unpause", "Let money move again (pauser)")).setAction(async (args: CommonArgs, hre) =>
  runCommand(hre, args, ({ digitalCurrency }) => unpause(digitalCurrency), txLine("unpaused")),
);
