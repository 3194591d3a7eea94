import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { id } from "ethers";
import BillLedgerModule from "./BillLedger";
import BusinessCalendarModule from "./BusinessCalendar";
import DigitalCurrencyModule from "./DigitalCurrency";

const DAY = 24n * 60n * 60n;

/**
 * The DvP settlement engine. Wired by the deployer (account 0), which must hold the admin roles of the ledger, the
 * registry and the engine at that moment: the engine becomes a ledger operator (it moves ranges) and a system
 * account in the registry (it escrows and moves currency), and the pauser and the settlement agent get their roles.
 * The regulator holds no role here (it is refused nonce acts by its registry kind). The digital currency is always
 * listed. Hand the engine's admin role over afterwards (README *Deploying*).
 */
export default buildModule("SettlementEngine", (m) => {
  const { identityRegistry, digitalCurrency } = m.useModule(DigitalCurrencyModule);
  const { billLedger } = m.useModule(BillLedgerModule);
  const { businessCalendar } = m.useModule(BusinessCalendarModule);
  const deployer = m.getAccount(0);
  // The ways out of locked assets (ending proposals, refunds, repo close and default) run in a linked library.
  const tradeExits = m.library("TradeExits");
  const settlementEngine = m.contract(
    "SettlementEngine",
    [billLedger, identityRegistry, businessCalendar, digitalCurrency, m.getParameter("adminDelay", 2n * DAY), deployer],
    { libraries: { TradeExits: tradeExits } },
  );
  m.call(billLedger, "grantRole", [id("OPERATOR_ROLE"), settlementEngine], { id: "grantEngineOperator" });
  m.call(identityRegistry, "registerSystemAccount", [settlementEngine], { id: "registerEngine" });
  m.call(settlementEngine, "grantRole", [id("PAUSER_ROLE"), m.getParameter("pauser", deployer)], {
    id: "grantEnginePauser",
  });
  m.call(settlementEngine, "grantRole", [id("AGENT_ROLE"), m.getParameter("agent", deployer)], {
    id: "grantEngineAgent",
  });
  return { settlementEngine, businessCalendar };
});
