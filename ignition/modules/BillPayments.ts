import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { id } from "ethers";
import BillLedgerModule from "./BillLedger";
import DigitalCurrencyModule from "./DigitalCurrency";

/**
 * Payment at maturity, dishonour and recourse. Wired by the deployer (account 0), which must hold the admin role
 * of the ledger and of the registry at that moment: the contract becomes a ledger operator (it settles ranges)
 * and a system account in the registry (it spends payers' allowances of the currency).
 */
export default buildModule("BillPayments", (m) => {
  const { identityRegistry, digitalCurrency } = m.useModule(DigitalCurrencyModule);
  const { billLedger } = m.useModule(BillLedgerModule);
  const billPayments = m.contract("BillPayments", [billLedger, digitalCurrency]);
  m.call(billLedger, "grantRole", [id("OPERATOR_ROLE"), billPayments]);
  m.call(identityRegistry, "registerSystemAccount", [billPayments]);
  return { billPayments };
});
