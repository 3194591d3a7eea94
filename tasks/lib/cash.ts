import type { DigitalCurrency } from "../../typechain-types";
import { mined } from "./tx";

/** Each act returns the mined receipt; `cash` must be connected to the acting wallet. */
export async function mint(cash: DigitalCurrency, to: string, fen: bigint) {
  return mined(cash.mint(to, fen));
}

export async function burn(cash: DigitalCurrency, fen: bigint) {
  return mined(cash.burn(fen));
}

export async function transfer(cash: DigitalCurrency, to: string, fen: bigint) {
  return mined(cash.transfer(to, fen));
}

/** Freezes the whole account, or `fen` of its value when given. Regulator only. */
export async function freeze(cash: DigitalCurrency, account: string, fen?: bigint) {
  return mined(fen === undefined ? cash.freezeAccount(account) : cash.freezeAmount(account, fen));
}

/** Lifts an account freeze, or releases `fen` of frozen value when given. Regulator only. */
export async function unfreeze(cash: DigitalCurrency, account: string, fen?: bigint) {
  return mined(fen === undefined ? cash.unfreezeAccount(account) : cash.unfreezeAmount(account, fen));
}

export async function pause(cash: DigitalCurrency) {
  return mined(cash.pause());
}

export async function unpause(cash: DigitalCurrency) {
  return mined(cash.unpause());
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
