import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import BillLedgerModule from "./BillLedger";
import BillPaymentsModule from "./BillPayments";
import DigitalCurrencyModule from "./DigitalCurrency";

/** The whole platform: what a real deployment, the demo and the test fixtures all deploy. */
export default buildModule("Platform", (m) => {
  const { identityRegistry, digitalCurrency } = m.useModule(DigitalCurrencyModule);
  const { billLedger } = m.useModule(BillLedgerModule);
  const { billPayments } = m.useModule(BillPaymentsModule);
  return { identityRegistry, digitalCurrency, billLedger, billPayments };
});
