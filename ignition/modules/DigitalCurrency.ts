import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import IdentityRegistryModule from "./IdentityRegistry";

/**
 * The central bank's settlement token, checked against the shared registry, with its roles wired and subscribed
 * to the registry's standing updates. The subscription is sent by the deployer (account 0), which must hold the
 * registry's admin role at that moment: deploy with the deployer as admin, then hand the role over with the
 * two-step admin transfer.
 */
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
  m.call(identityRegistry, "addSubscriber", [digitalCurrency]);
  return { identityRegistry, digitalCurrency };
});
