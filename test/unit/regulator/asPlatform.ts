/**
 * The task library's `Platform` (what `loadPlatform` gives a command) built from a fixture's suite, connected to
 * one acting wallet: the tests call the same library functions as the `keys`, `dvp`, `bill` and `regulator` tasks.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Platform } from "../../../tasks/lib/deployment";
import type { Suite } from "../../fixtures/platform";

export function asPlatform(suite: Suite, signer: HardhatEthersSigner): Platform {
  return {
    identityRegistry: suite.identityRegistry.connect(signer),
    digitalCurrency: suite.digitalCurrency.connect(signer),
    billLedger: suite.billLedger.connect(signer),
    billPayments: suite.billPayments.connect(signer),
    settlementEngine: suite.settlementEngine.connect(signer),
    businessCalendar: suite.businessCalendar.connect(signer),
    encryptionKeys: suite.encryptionKeys.connect(signer),
    envelopeBoard: suite.envelopeBoard.connect(signer),
    signer,
    interfaces: Object.values(suite).map((c: Suite[keyof Suite]) => c.interface),
  };
}
