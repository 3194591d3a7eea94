import type { DigitalCurrency } from "../../typechain-types";

/** Each act returns the mined receipt; `cash` must be connected to the acting wallet. */
export async function mint(cash: DigitalCurrency, to: string, fen: bigint) {
  return (await cash.mint(to, fen)).wait();
}

export async function burn(cash: DigitalCurrency, fen: bigint) {
  return (await cash.burn(fen)).wait();
}

export async function transfer(cash: DigitalCurrency, to: string, fen: bigint) {
  return (await cash.transfer(to, fen)).wait();
}

/** Freezes the whole account, or `fen` of its value when given. Regulator only. */
export async function freeze(cash: DigitalCurrency, account: string, fen?: bigint) {
  return (await (fen === undefined ? cash.freezeAccount(account) : cash.freezeAmount(account, fen))).wait();
}

/** Lifts an account freeze, or releases `fen` of frozen value when given. Regulator only. */
export async function unfreeze(cash: DigitalCurrency, account: string, fen?: bigint) {
  return (await (fen === undefined ? cash.unfreezeAccount(account) : cash.unfreezeAmount(account, fen))).wait();
}

export async function pause(cash: DigitalCurrency) {
  return (await cash.pause()).wait();
}

export async function unpause(cash: DigitalCurrency) {
  return (await cash.unpause()).wait();
}

export interface BalanceView {
  account: string;
  balance: bigint;
  frozenAmount: bigint;
  available: bigint;
  accountFrozen: boolean;
}

export async function balanceOf(cash: DigitalCurrency, account: string): Promise<BalanceView> {
  const [balance, frozenAmount, available, accountFrozen] = await Promise.all([
    cash.balanceOf(account),
    cash.frozenAmountOf(account),
    cash.availableBalanceOf(account),
    cash.isAccountFrozen(account),
  ]);
  return { account, balance, frozenAmount, available, accountFrozen };
}
