import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import IdentityRegistryModule from "./IdentityRegistry";

const DAY = 24n * 60n * 60n;

/**
 * The public keys of entities and the regulator's view key, for sealing confidential terms. The key registry looks
 * wallets up in the identity registry, so the deployer (account 0, the registry's admin at that moment) registers
 * it as a system account there.
 */
export default buildModule("EncryptionKeys", (m) => {
  const { identityRegistry } = m.useModule(IdentityRegistryModule);
  const deployer = m.getAccount(0);
  const encryptionKeys = m.contract("EncryptionKeys", [
    identityRegistry,
    m.getParameter("adminDelay", 2n * DAY),
    m.getParameter("admin", deployer),
    m.getParameter("regulator", deployer),
  ]);
  m.call(identityRegistry, "registerSystemAccount", [encryptionKeys], { id: "registerEncryptionKeys" });
  return { encryptionKeys };
});
