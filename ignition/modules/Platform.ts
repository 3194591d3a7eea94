import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import DigitalCurrencyModule from "./DigitalCurrency";

/** The whole platform: what a real deployment, the demo and the test fixtures all deploy. */
export default buildModule("Platform", (m) => {
  const { identityRegistry, digitalCurrency } = m.useModule(DigitalCurrencyModule);
  return { identityRegistry, digitalCurrency };
});
