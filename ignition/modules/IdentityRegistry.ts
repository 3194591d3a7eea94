import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** The shared KYC registry, with its admin and first KYC providers. */
export default buildModule("IdentityRegistry", (m) => {
  const adminDelay = m.getParameter("adminDelay", 2n * 24n * 60n * 60n);
  const admin = m.getParameter("admin", m.getAccount(0));
  const kycProviders = m.getParameter<string[]>("kycProviders", []);
  const identityRegistry = m.contract("IdentityRegistry", [adminDelay, admin, kycProviders]);
  return { identityRegistry };
});
