import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import IdentityRegistryModule from "./IdentityRegistry";

const DAY = 24n * 60n * 60n;

/** The public keys of entities and the regulator's view key, for sealing confidential terms. */
export default buildModule("EncryptionKeys", (m) => {
  const { identityRegistry } = m.useModule(IdentityRegistryModule);
  const deployer = m.getAccount(0);
  const encryptionKeys = m.contract("EncryptionKeys", [
    identityRegistry,
    m.getParameter("adminDelay", 2n * DAY),
    m.getParameter("admin", deployer),
    m.getParameter("regulator", deployer),
  ]);
  return { encryptionKeys };
});
