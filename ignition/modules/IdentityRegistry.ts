import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The shared KYC registry, with its admin and its first KYC providers. The regulator holds no role here: every
 * identity record is public, and its wallet is registered as a `Regulator` entity like any other.
 */
export default buildModule("IdentityRegistry", (m) => {
  const adminDelay = m.getParameter("adminDelay", 2n * 24n * 60n * 60n);
  const admin = m.getParameter("admin", m.getAccount(0));
  const kycProviders = m.getParameter<string[]>("kycProviders", []);
  const identityRegistry = m.contract("IdentityRegistry", [adminDelay, admin, kycProviders]);
  return { identityRegistry };
});
