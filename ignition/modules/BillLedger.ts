import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import IdentityRegistryModule from "./IdentityRegistry";

const DAY = 24n * 60n * 60n;

/**
 * The ledger of bills, checked against the shared registry and subscribed to its standing updates (sent by the
 * deployer, which must hold the registry's admin role at that moment — see DigitalCurrency.ts).
 */
export default buildModule("BillLedger", (m) => {
  const { identityRegistry } = m.useModule(IdentityRegistryModule);
  const deployer = m.getAccount(0);
  const billLedger = m.contract("BillLedger", [
    identityRegistry,
    m.getParameter("adminDelay", 2n * DAY),
    m.getParameter("admin", deployer),
    m.getParameter("pauser", deployer),
    m.getParameter("regulator", deployer),
    {
      maxTenorMonths: m.getParameter("maxTenorMonths", 6),
      presentationDays: m.getParameter("presentationDays", 10),
      answerWindow: m.getParameter("answerWindow", 10n * DAY),
      recourseRateBps: m.getParameter("recourseRateBps", 435),
    },
  ]);
  m.call(identityRegistry, "addSubscriber", [billLedger]);
  return { identityRegistry, billLedger };
});
