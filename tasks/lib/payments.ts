import type { BillLedger, BillPayments, DigitalCurrency } from "../../typechain-types";
import { liabilityChain, mined } from "./bills";

/** Raises the payer's allowance for the payments contract to at least `amount`. */
async function allow(currency: DigitalCurrency, payments: BillPayments, amount: bigint) {
  const payer = await (currency.runner as unknown as { getAddress(): Promise<string> }).getAddress();
  const spender = await payments.getAddress();
  if ((await currency.allowance(payer, spender)) < amount) await mined(currency.approve(spender, amount));
}

/** The units of a range, read from the ledger (`BillUnknownRange` if no range starts at `start`). */
async function unitsOf(ledger: BillLedger, billId: bigint, start: bigint) {
  const range = await ledger.rangeAt(billId, start);
  return range.end - range.start + 1n;
}

/** The holder presents its range for payment. */
export const presentForPayment = (payments: BillPayments, billId: bigint, start: bigint) =>
  mined(payments.presentForPayment(billId, start));

/** The acceptor pays a presented range: approves the face amount if needed, then pays (DvP). */
export async function payBill(
  payments: BillPayments,
  ledger: BillLedger,
  currency: DigitalCurrency,
  billId: bigint,
  start: bigint,
) {
  await allow(currency, payments, await unitsOf(ledger, billId, start));
  return mined(payments.pay(billId, start));
}

export const dishonour = (payments: BillPayments, billId: bigint, start: bigint, reason: number) =>
  mined(payments.dishonour(billId, start, reason));

export const declareDishonoured = (payments: BillPayments, billId: bigint, start: bigint) =>
  mined(payments.declareDishonoured(billId, start));

/** The holder of a dishonoured range claims from `target`, with the chain rebuilt from the ledger's events. */
export async function claimRecourse(
  payments: BillPayments,
  ledger: BillLedger,
  billId: bigint,
  start: bigint,
  target: string,
) {
  return mined(payments.claimRecourse(billId, start, target, await liabilityChain(ledger, billId, start)));
}

/** The target of a claim pays it: approves face + interest (as of the next day, to be safe) and pays. */
export async function payRecourse(
  payments: BillPayments,
  ledger: BillLedger,
  currency: DigitalCurrency,
  billId: bigint,
  start: bigint,
) {
  const now = BigInt((await ledger.runner!.provider!.getBlock("latest"))!.timestamp);
  const amount = await payments.recourseAmount(billId, await unitsOf(ledger, billId, start), now + 86_400n);
  await allow(currency, payments, amount);
  return mined(payments.payRecourse(billId, start));
}

export const withdrawClaim = (payments: BillPayments, billId: bigint, start: bigint) =>
  mined(payments.withdrawClaim(billId, start));
