import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { id } from "ethers";

/**
 * The shared KYC registry, with its admin, its first KYC providers and the regulator, which reads every identity
 * record. The regulator's role is granted by the deployer (account 0), which must be the admin at that moment.
 */
export default buildModule("IdentityRegistry", (m) => {
  const adminDelay = m.getParameter("adminDelay", 2n * 24n * 60n * 60n);
  const deployer = m.getAccount(0);
  const admin = m.getParameter("admin", deployer);
  const kycProviders = m.getParameter<string[]>("kycProviders", []);
  const identityRegistry = m.contract("IdentityRegistry", [adminDelay, admin, kycProviders]);
  m.call(identityRegistry, "grantRole", [id("REGULATOR_ROLE"), m.getParameter("regulator", deployer)], {
    id: "grantRegistryRegulator",
  });
  return { identityRegistry };
});
