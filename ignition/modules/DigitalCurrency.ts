import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import IdentityRegistryModule from "./IdentityRegistry";

/** The central bank's settlement token, checked against the shared registry, with its roles wired. */
export default buildModule("DigitalCurrency", (m) => {
  const { identityRegistry } = m.useModule(IdentityRegistryModule);
  const deployer = m.getAccount(0);
  const digitalCurrency = m.contract("DigitalCurrency", [
    m.getParameter("name", "Digital CNY"),
    m.getParameter("symbol", "DCNY"),
    identityRegistry,
    m.getParameter("adminDelay", 2n * 24n * 60n * 60n),
    m.getParameter("admin", deployer),
    m.getParameter("issuer", deployer),
    m.getParameter("pauser", deployer),
    m.getParameter("regulator", deployer),
  ]);
  return { identityRegistry, digitalCurrency };
});
