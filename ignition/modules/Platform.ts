import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import BillLedgerModule from "./BillLedger";
import DigitalCurrencyModule from "./DigitalCurrency";

/** The whole platform: what a real deployment, the demo and the test fixtures all deploy. */
export default buildModule("Platform", (m) => {
  const { identityRegistry, digitalCurrency } = m.useModule(DigitalCurrencyModule);
  const { billLedger } = m.useModule(BillLedgerModule);
  return { identityRegistry, digitalCurrency, billLedger };
});
