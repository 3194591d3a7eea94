import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import BillLedgerModule from "./BillLedger";
import BillPaymentsModule from "./BillPayments";
import DigitalCurrencyModule from "./DigitalCurrency";
import EncryptionKeysModule from "./EncryptionKeys";
import EnvelopeBoardModule from "./EnvelopeBoard";
import SettlementEngineModule from "./SettlementEngine";

/** The whole platform: what a real deployment, the demo and the test fixtures all deploy. */
export default buildModule("Platform", (m) => {
  const { identityRegistry, digitalCurrency } = m.useModule(DigitalCurrencyModule);
  const { billLedger } = m.useModule(BillLedgerModule);
  const { billPayments } = m.useModule(BillPaymentsModule);
  const { settlementEngine, businessCalendar } = m.useModule(SettlementEngineModule);
  const { encryptionKeys } = m.useModule(EncryptionKeysModule);
  const { envelopeBoard } = m.useModule(EnvelopeBoardModule);
  return {
    identityRegistry,
    digitalCurrency,
    billLedger,
    billPayments,
    settlementEngine,
    businessCalendar,
    encryptionKeys,
    envelopeBoard,
  };
});
