import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import IdentityRegistryModule from "./IdentityRegistry";

/** The board where parties post the sealed envelopes of their confidential terms. */
export default buildModule("EnvelopeBoard", (m) => {
  const { identityRegistry } = m.useModule(IdentityRegistryModule);
  const envelopeBoard = m.contract("EnvelopeBoard", [identityRegistry]);
  return { envelopeBoard };
});
