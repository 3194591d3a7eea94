/*
 * Security checklist (/work/shared/SECURITY-CHECKLIST.md), "Access and roles", for the IdentityRegistry:
 *
 *   1. A caller without the role is rejected by every privileged function, with the error naming the caller and
 *      the role: every KYC_PROVIDER_ROLE and DEFAULT_ADMIN_ROLE function (the subscription administration
 *      `addSubscriber`, `removeSubscriber` and `republish` included), each tried by every actor that lacks the
 *      role (outsider, trader, regulator, and the admin/provider that holds only the other role).
 *   2. Traders cannot verify themselves, the settlement contract, or anyone else. There is no settlement contract
 *      yet; a platform contract is verified by `registerSystemAccount`, so a trader-deployed stand-in contract is
 *      used. A KYC provider is also a trader (a bank): it cannot link its own wallet nor act on its own entity.
 *   3. The last admin cannot be revoked and can renounce only through the delayed two-step schedule; admin
 *      transfer is two-step with a delay (AccessControlDefaultAdminRules), checked at schedule, and schedule + 1 s.
 *   4. Each role's admin is DEFAULT_ADMIN_ROLE; the regulator cannot grant itself any role.
 *   5. Every state-changing function of the registry reverts when the regulator calls it. The registry has no
 *      act of the regulator's own (freezing lives in the currency). One caveat, asserted below: OpenZeppelin's
 *      `renounceRole(role, self)` for a role the caller does not hold succeeds as a no-op; it changes nothing.
 *
 * The other checklist lines concern the currency, the bill token and the settlement engine and are covered by
 * their suites; the expiry edges of the registry (line 20) are in test/unit/identity/IdentityRegistry.test.ts.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import type { IdentityRegistry } from "../../typechain-types";
import { ADMIN_DELAY, CODES, entityIdOf, verifiedPlatform, asRegulator } from "../fixtures/platform";
import type { Accounts, Suite } from "../fixtures/platform";
import { EntityKind, EntityStatus, jurisdictionToBytes32 } from "../../tasks/lib/identity";

const CN = jurisdictionToBytes32("CN");
const ID_X = entityIdOf(CODES.enterpriseX);
const ID_BANK_A = entityIdOf(CODES.bankA);
const ID_NEW = entityIdOf("91110000MA0NEWNEW5");
const KYC_PROVIDER_ROLE = hre.ethers.id("KYC_PROVIDER_ROLE");
const DEFAULT_ADMIN_ROLE = hre.ethers.ZeroHash;

type RoleName = "KYC_PROVIDER_ROLE" | "DEFAULT_ADMIN_ROLE";
const ROLES: Record<RoleName, string> = { KYC_PROVIDER_ROLE, DEFAULT_ADMIN_ROLE };

/**
 * Verified platform plus a stand-in platform contract registered as a system account, and a second currency
 * built for this registry that the registry does not publish to yet.
 */
async function securedPlatform() {
  const { accounts, suite } = await loadFixture(verifiedPlatform);
  const registry = suite.identityRegistry;
  const systemAccount = await (await hre.ethers.deployContract("PlainERC20", [0])).getAddress();
  await (await registry.connect(accounts.admin).registerSystemAccount(systemAccount)).wait();
  const { admin, centralBank, pauser, regulator } = accounts;
  const spareGate = await hre.ethers.deployContract("DigitalCurrency", [
    "Spare CNY",
    "SCNY",
    await registry.getAddress(),
    ADMIN_DELAY,
    admin.address,
    centralBank.address,
    pauser.address,
    regulator.address,
  ]);
  const expiresAt = BigInt(await time.latest()) + 365n * 24n * 60n * 60n;
  return { accounts, suite, systemAccount, spareGate: await spareGate.getAddress(), expiresAt };
}

interface Context {
  accounts: Accounts;
  suite: Suite;
  systemAccount: string;
  /** A currency built for this registry and not subscribed: what the admin alone may subscribe. */
  spareGate: string;
  expiresAt: bigint;
  /** A contract that is not registered anywhere: what a trader would like verified. */
  unregisteredContract: string;
  /** An address that is not linked to anything. */
  freshWallet: string;
}

async function contextOf(): Promise<Context> {
  const fixture = await loadFixture(securedPlatform);
  return {
    ...fixture,
    unregisteredContract: await fixture.suite.digitalCurrency.getAddress(),
    freshWallet: hre.ethers.getAddress(hre.ethers.dataSlice(hre.ethers.id("identity-access:fresh"), 12)),
  };
}

type Act = (
  registry: IdentityRegistry,
  ctx: Context,
  caller: HardhatEthersSigner,
) => Promise<ContractTransactionResponse>;

interface Privileged {
  fn: string;
  role: RoleName;
  /** Arguments that would succeed for a holder of the role, so the role is the only reason to refuse. */
  act: Act;
}

/** Every function of the registry gated by a role. */
const PRIVILEGED: Privileged[] = [
  {
    fn: "registerEntity",
    role: "KYC_PROVIDER_ROLE",
    act: (r, c) => r.registerEntity(ID_NEW, EntityKind.Enterprise, CN, c.expiresAt, [c.freshWallet]),
  },
  { fn: "renewEntity", role: "KYC_PROVIDER_ROLE", act: (r, c) => r.renewEntity(ID_X, c.expiresAt + 1n) },
  { fn: "suspendEntity", role: "KYC_PROVIDER_ROLE", act: (r) => r.suspendEntity(ID_X) },
  { fn: "reinstateEntity", role: "KYC_PROVIDER_ROLE", act: (r) => r.reinstateEntity(ID_X) },
  { fn: "linkWallet", role: "KYC_PROVIDER_ROLE", act: (r, c) => r.linkWallet(ID_X, c.freshWallet) },
  { fn: "unlinkWallet", role: "KYC_PROVIDER_ROLE", act: (r, c) => r.unlinkWallet(c.accounts.enterpriseX.address) },
  { fn: "revokeEntity", role: "DEFAULT_ADMIN_ROLE", act: (r) => r.revokeEntity(ID_X) },
  {
    fn: "registerSystemAccount",
    role: "DEFAULT_ADMIN_ROLE",
    act: (r, c) => r.registerSystemAccount(c.unregisteredContract),
  },
  { fn: "removeSystemAccount", role: "DEFAULT_ADMIN_ROLE", act: (r, c) => r.removeSystemAccount(c.systemAccount) },
  { fn: "addSubscriber", role: "DEFAULT_ADMIN_ROLE", act: (r, c) => r.addSubscriber(c.spareGate) },
  {
    fn: "removeSubscriber",
    role: "DEFAULT_ADMIN_ROLE",
    act: async (r, c) => r.removeSubscriber(await c.suite.digitalCurrency.getAddress()),
  },
  {
    fn: "republish",
    role: "DEFAULT_ADMIN_ROLE",
    act: (r, c) => r.republish([c.accounts.enterpriseX.address, c.freshWallet]),
  },
  {
    fn: "grantRole",
    role: "DEFAULT_ADMIN_ROLE",
    act: (r, _c, caller) => r.grantRole(KYC_PROVIDER_ROLE, caller.address),
  },
  {
    fn: "revokeRole",
    role: "DEFAULT_ADMIN_ROLE",
    act: (r, c) => r.revokeRole(KYC_PROVIDER_ROLE, c.accounts.bankA.address),
  },
  {
    fn: "beginDefaultAdminTransfer",
    role: "DEFAULT_ADMIN_ROLE",
    act: (r, _c, caller) => r.beginDefaultAdminTransfer(caller.address),
  },
  { fn: "cancelDefaultAdminTransfer", role: "DEFAULT_ADMIN_ROLE", act: (r) => r.cancelDefaultAdminTransfer() },
  { fn: "changeDefaultAdminDelay", role: "DEFAULT_ADMIN_ROLE", act: (r) => r.changeDefaultAdminDelay(1) },
  { fn: "rollbackDefaultAdminDelay", role: "DEFAULT_ADMIN_ROLE", act: (r) => r.rollbackDefaultAdminDelay() },
];

/** State-changing functions anyone may call; each has its own guard. */
const UNGATED = ["acceptDefaultAdminTransfer", "renounceRole"];

/** Everyone who lacks `role` in the fixture. */
function callersWithout(role: RoleName, accounts: Accounts): [string, HardhatEthersSigner][] {
  const common: [string, HardhatEthersSigner][] = [
    ["an outsider", accounts.outsider],
    ["a trader (enterprise X)", accounts.enterpriseX],
    ["the regulator", accounts.regulator],
    ["the central bank", accounts.centralBank],
  ];
  return role === "KYC_PROVIDER_ROLE"
    ? [...common, ["the admin", accounts.admin]]
    : [...common, ["a KYC provider (bank A)", accounts.bankA]];
}

/** Everything the registry would let a role holder change, as one comparable string. */
async function registryState(ctx: Context): Promise<string> {
  const r = ctx.suite.identityRegistry;
  const { accounts } = ctx;
  const people = [
    accounts.admin,
    accounts.bankA,
    accounts.bankB,
    accounts.enterpriseX,
    accounts.regulator,
    accounts.outsider,
    accounts.centralBank,
  ].map((s) => s.address);
  const values: unknown[] = [
    await asRegulator(r).entityCount(),
    [...(await asRegulator(r).entity(ID_X))],
    [...(await asRegulator(r).walletsOf(ID_X))],
    [...(await asRegulator(r).identityOf(ctx.freshWallet))],
    [...(await asRegulator(r).identityOf(ctx.systemAccount))],
    [...(await asRegulator(r).identityOf(ctx.unregisteredContract))],
    [...(await r.subscribers())],
    await r.defaultAdmin(),
    [...(await r.pendingDefaultAdmin())],
    await r.defaultAdminDelay(),
    [...(await r.pendingDefaultAdminDelay())],
  ];
  for (const who of people) {
    values.push(await r.hasRole(KYC_PROVIDER_ROLE, who), await r.hasRole(DEFAULT_ADMIN_ROLE, who));
  }
  // What the registry publishes: a refused republish leaves the fresh wallet without a current copy.
  const [copy, current] = await asRegulator(ctx.suite.digitalCurrency).cachedCredentialOf(ctx.freshWallet);
  values.push([...copy, current]);
  return JSON.stringify(values, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
}

describe("IdentityRegistry access control", function () {
  describe("checklist 1: every privileged function", function () {
    for (const { fn, role, act } of PRIVILEGED) {
      describe(`.${fn}()`, function () {
        describe(`when the caller lacks ${role}`, function () {
          it("reverts with AccessControlUnauthorizedAccount(caller, role) and changes nothing", async function () {
            const ctx = await contextOf();
            const registry = ctx.suite.identityRegistry;
            const before = await registryState(ctx);
            for (const [, caller] of callersWithout(role, ctx.accounts)) {
              await expect(act(registry.connect(caller), ctx, caller))
                .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
                .withArgs(caller.address, ROLES[role]);
            }
            expect(await registryState(ctx)).to.equal(before);
          });
        });

        describe(`when the caller holds ${role}`, function () {
          it("succeeds with the same arguments (the role is the only reason for the refusals)", async function () {
            const ctx = await contextOf();
            const holder = role === "KYC_PROVIDER_ROLE" ? ctx.accounts.bankA : ctx.accounts.admin;
            const registry = ctx.suite.identityRegistry.connect(holder);
            // reinstate needs a suspended entity and rollback a pending delay change; set them up first.
            if (fn === "reinstateEntity") await registry.suspendEntity(ID_X);
            if (fn === "rollbackDefaultAdminDelay") await registry.changeDefaultAdminDelay(1);
            const receipt = await (await act(registry, ctx, holder)).wait();
            expect(receipt?.status).to.equal(1);
          });
        });
      });
    }

    it("lists every role-gated, state-changing function of the ABI", async function () {
      const { suite } = await loadFixture(securedPlatform);
      const stateChanging: string[] = [];
      suite.identityRegistry.interface.forEachFunction((f) => {
        if (f.stateMutability !== "view" && f.stateMutability !== "pure") stateChanging.push(f.name);
      });
      expect([...stateChanging].sort()).to.deep.equal([...PRIVILEGED.map((p) => p.fn), ...UNGATED].sort());
    });
  });

  describe("checklist 2: traders", function () {
    describe("when enterprise X (a trader) tries to verify itself", function () {
      it("cannot register itself, link a second wallet, renew or reinstate its entity", async function () {
        const ctx = await contextOf();
        const { enterpriseX } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        const byX = registry.connect(enterpriseX);
        const second = ctx.accounts.extra[0].address;
        await expect(byX.registerEntity(ID_NEW, EntityKind.Enterprise, CN, ctx.expiresAt, [enterpriseX.address]))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(enterpriseX.address, KYC_PROVIDER_ROLE);
        await expect(byX.linkWallet(ID_X, second))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(enterpriseX.address, KYC_PROVIDER_ROLE);
        await expect(byX.renewEntity(ID_X, ctx.expiresAt + 1n))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(enterpriseX.address, KYC_PROVIDER_ROLE);
        await registry.connect(ctx.accounts.bankA).suspendEntity(ID_X);
        await expect(byX.reinstateEntity(ID_X))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(enterpriseX.address, KYC_PROVIDER_ROLE);
        expect((await asRegulator(registry).entity(ID_X)).status).to.equal(EntityStatus.Suspended);
        expect(await registry.isVerified(enterpriseX.address)).to.equal(false);
        expect(await registry.isVerified(second)).to.equal(false);
      });

      it("cannot grant itself KYC_PROVIDER_ROLE", async function () {
        const ctx = await contextOf();
        const { enterpriseX } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(enterpriseX).grantRole(KYC_PROVIDER_ROLE, enterpriseX.address))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(enterpriseX.address, DEFAULT_ADMIN_ROLE);
        expect(await registry.hasRole(KYC_PROVIDER_ROLE, enterpriseX.address)).to.equal(false);
      });
    });

    describe("when enterprise X tries to verify someone else", function () {
      it("cannot register the outsider nor link the outsider's wallet", async function () {
        const ctx = await contextOf();
        const { enterpriseX, outsider } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        const byX = registry.connect(enterpriseX);
        await expect(byX.registerEntity(ID_NEW, EntityKind.Enterprise, CN, ctx.expiresAt, [outsider.address]))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(enterpriseX.address, KYC_PROVIDER_ROLE);
        await expect(byX.linkWallet(ID_X, outsider.address))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(enterpriseX.address, KYC_PROVIDER_ROLE);
        expect(await registry.isVerified(outsider.address)).to.equal(false);
      });
    });

    describe("when enterprise X tries to verify a contract (a settlement-contract stand-in it deployed)", function () {
      it("cannot register it as a system account nor link it as a wallet", async function () {
        const ctx = await contextOf();
        const { enterpriseX } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        const standIn = await (await hre.ethers.deployContract("PlainERC20", [0], enterpriseX)).getAddress();
        await expect(registry.connect(enterpriseX).registerSystemAccount(standIn))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(enterpriseX.address, DEFAULT_ADMIN_ROLE);
        await expect(registry.connect(enterpriseX).linkWallet(ID_X, standIn))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(enterpriseX.address, KYC_PROVIDER_ROLE);
        expect(await registry.isVerified(standIn)).to.equal(false);
        const [kind] = await registry.kindsIfVerified(standIn, hre.ethers.ZeroAddress);
        expect(kind).to.equal(EntityKind.None);
      });
    });

    describe("when a KYC provider (bank A, itself a trader) tries to verify itself", function () {
      it("cannot link its own wallet to an entity it verified", async function () {
        const ctx = await contextOf();
        const { bankA } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(bankA).linkWallet(ID_X, bankA.address))
          .to.be.revertedWithCustomError(registry, "IdentitySelfVerification")
          .withArgs(bankA.address);
        expect((await asRegulator(registry).identityOf(bankA.address)).entityId).to.equal(ID_BANK_A);
      });

      it("cannot renew or reinstate its own entity, which bank B verified", async function () {
        const ctx = await contextOf();
        const { bankA, bankB } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        expect((await asRegulator(registry).entity(ID_BANK_A)).provider).to.equal(bankB.address);
        await expect(registry.connect(bankA).renewEntity(ID_BANK_A, ctx.expiresAt + 1n))
          .to.be.revertedWithCustomError(registry, "IdentityNotEntityProvider")
          .withArgs(ID_BANK_A, bankA.address);
        await registry.connect(bankB).suspendEntity(ID_BANK_A);
        await expect(registry.connect(bankA).reinstateEntity(ID_BANK_A))
          .to.be.revertedWithCustomError(registry, "IdentityNotEntityProvider")
          .withArgs(ID_BANK_A, bankA.address);
        expect(await registry.isVerified(bankA.address)).to.equal(false);
      });

      it("cannot register a new entity holding its own wallet", async function () {
        const ctx = await contextOf();
        const { bankA } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(
          registry.connect(bankA).registerEntity(ID_NEW, EntityKind.Bank, CN, ctx.expiresAt, [bankA.address]),
        )
          .to.be.revertedWithCustomError(registry, "IdentitySelfVerification")
          .withArgs(bankA.address);
      });
    });
  });

  describe("checklist 3: the last admin", function () {
    describe("when the admin's role is revoked directly", function () {
      it("reverts with AccessControlEnforcedDefaultAdminRules and the admin stays", async function () {
        const ctx = await contextOf();
        const { admin } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(admin).revokeRole(DEFAULT_ADMIN_ROLE, admin.address))
          .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminRules")
          .withArgs();
        expect(await registry.defaultAdmin()).to.equal(admin.address);
        expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      });
    });

    describe("when the admin tries to grant the admin role to a second account", function () {
      it("reverts with AccessControlEnforcedDefaultAdminRules", async function () {
        const ctx = await contextOf();
        const { admin, bankA } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(admin).grantRole(DEFAULT_ADMIN_ROLE, bankA.address))
          .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminRules")
          .withArgs();
        expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, bankA.address)).to.equal(false);
      });
    });

    describe("when the admin renounces without a schedule", function () {
      it("reverts with AccessControlEnforcedDefaultAdminDelay(0)", async function () {
        const ctx = await contextOf();
        const { admin } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(admin).renounceRole(DEFAULT_ADMIN_ROLE, admin.address))
          .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
          .withArgs(0);
        expect(await registry.defaultAdmin()).to.equal(admin.address);
      });
    });

    describe("when the admin schedules renouncing (transfer to the zero address)", function () {
      async function renounceScheduled() {
        const fixture = await loadFixture(securedPlatform);
        const registry = fixture.suite.identityRegistry.connect(fixture.accounts.admin);
        await (await registry.beginDefaultAdminTransfer(hre.ethers.ZeroAddress)).wait();
        const [, schedule] = await registry.pendingDefaultAdmin();
        return { ...fixture, registry, schedule };
      }

      it("schedules it ADMIN_DELAY seconds ahead", async function () {
        const { registry, schedule } = await loadFixture(renounceScheduled);
        const [pending] = await registry.pendingDefaultAdmin();
        expect(pending).to.equal(hre.ethers.ZeroAddress);
        expect(schedule).to.equal(BigInt(await time.latest()) + ADMIN_DELAY);
      });

      it("still refuses the renouncement at exactly the schedule", async function () {
        const { accounts, registry, schedule } = await loadFixture(renounceScheduled);
        await time.setNextBlockTimestamp(schedule);
        await expect(registry.renounceRole(DEFAULT_ADMIN_ROLE, accounts.admin.address))
          .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
          .withArgs(schedule);
        expect(await registry.defaultAdmin()).to.equal(accounts.admin.address);
      });

      it("allows it one second after the schedule, as a deliberate two-step act", async function () {
        const { accounts, registry, schedule } = await loadFixture(renounceScheduled);
        await time.setNextBlockTimestamp(schedule + 1n);
        await expect(registry.renounceRole(DEFAULT_ADMIN_ROLE, accounts.admin.address))
          .to.emit(registry, "RoleRevoked")
          .withArgs(DEFAULT_ADMIN_ROLE, accounts.admin.address, accounts.admin.address);
        expect(await registry.defaultAdmin()).to.equal(hre.ethers.ZeroAddress);
      });
    });

    describe("when the admin transfers the role to a new account", function () {
      async function transferBegun() {
        const fixture = await loadFixture(securedPlatform);
        const registry = fixture.suite.identityRegistry;
        const newAdmin = fixture.accounts.extra[5];
        await (await registry.connect(fixture.accounts.admin).beginDefaultAdminTransfer(newAdmin.address)).wait();
        const [, schedule] = await registry.pendingDefaultAdmin();
        return { ...fixture, registry, newAdmin, schedule };
      }

      it("emits DefaultAdminTransferScheduled with a schedule ADMIN_DELAY ahead", async function () {
        const ctx = await contextOf();
        const registry = ctx.suite.identityRegistry;
        const newAdmin = ctx.accounts.extra[5];
        const blockTime = BigInt(await time.latest()) + 10n;
        await time.setNextBlockTimestamp(blockTime);
        await expect(registry.connect(ctx.accounts.admin).beginDefaultAdminTransfer(newAdmin.address))
          .to.emit(registry, "DefaultAdminTransferScheduled")
          .withArgs(newAdmin.address, blockTime + ADMIN_DELAY);
        expect(await registry.defaultAdmin()).to.equal(ctx.accounts.admin.address);
      });

      it("refuses the acceptance one second before the schedule", async function () {
        const { registry, newAdmin, schedule, accounts } = await loadFixture(transferBegun);
        await time.setNextBlockTimestamp(schedule - 1n);
        await expect(registry.connect(newAdmin).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
          .withArgs(schedule);
        expect(await registry.defaultAdmin()).to.equal(accounts.admin.address);
      });

      it("refuses the acceptance at exactly the schedule", async function () {
        const { registry, newAdmin, schedule } = await loadFixture(transferBegun);
        await time.setNextBlockTimestamp(schedule);
        await expect(registry.connect(newAdmin).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
          .withArgs(schedule);
      });

      it("hands the role over one second after the schedule, and the old admin loses it", async function () {
        const { registry, newAdmin, schedule, accounts } = await loadFixture(transferBegun);
        await time.setNextBlockTimestamp(schedule + 1n);
        await registry.connect(newAdmin).acceptDefaultAdminTransfer();
        expect(await registry.defaultAdmin()).to.equal(newAdmin.address);
        expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, accounts.admin.address)).to.equal(false);
        await expect(registry.connect(accounts.admin).revokeEntity(ID_X))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.admin.address, DEFAULT_ADMIN_ROLE);
        await expect(registry.connect(newAdmin).revokeEntity(ID_X))
          .to.emit(registry, "EntityStatusChanged")
          .withArgs(ID_X, EntityStatus.Revoked, newAdmin.address);
      });

      it("refuses the acceptance from anyone but the pending admin, even after the delay", async function () {
        const { registry, schedule, accounts } = await loadFixture(transferBegun);
        await time.increaseTo(schedule + 1n);
        for (const caller of [accounts.bankA, accounts.regulator, accounts.admin]) {
          await expect(registry.connect(caller).acceptDefaultAdminTransfer())
            .to.be.revertedWithCustomError(registry, "AccessControlInvalidDefaultAdmin")
            .withArgs(caller.address);
        }
        expect(await registry.defaultAdmin()).to.equal(accounts.admin.address);
      });

      it("lets the admin cancel it, after which acceptance is refused", async function () {
        const { registry, newAdmin, schedule, accounts } = await loadFixture(transferBegun);
        await registry.connect(accounts.admin).cancelDefaultAdminTransfer();
        await time.increaseTo(schedule + 1n);
        await expect(registry.connect(newAdmin).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(registry, "AccessControlInvalidDefaultAdmin")
          .withArgs(newAdmin.address);
        expect(await registry.defaultAdmin()).to.equal(accounts.admin.address);
      });
    });
  });

  describe("checklist 4: role admins", function () {
    describe("when the roles are read", function () {
      it("makes DEFAULT_ADMIN_ROLE the admin of every role", async function () {
        const ctx = await contextOf();
        const registry = ctx.suite.identityRegistry;
        expect(await registry.KYC_PROVIDER_ROLE()).to.equal(KYC_PROVIDER_ROLE);
        expect(await registry.DEFAULT_ADMIN_ROLE()).to.equal(DEFAULT_ADMIN_ROLE);
        expect(await registry.getRoleAdmin(KYC_PROVIDER_ROLE)).to.equal(DEFAULT_ADMIN_ROLE);
        expect(await registry.getRoleAdmin(DEFAULT_ADMIN_ROLE)).to.equal(DEFAULT_ADMIN_ROLE);
      });
    });

    describe("when the admin grants and revokes KYC_PROVIDER_ROLE", function () {
      it("gives and takes the provider's powers at once", async function () {
        const ctx = await contextOf();
        const { admin, extra } = ctx.accounts;
        const provider = extra[6];
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(admin).grantRole(KYC_PROVIDER_ROLE, provider.address))
          .to.emit(registry, "RoleGranted")
          .withArgs(KYC_PROVIDER_ROLE, provider.address, admin.address);
        await registry.connect(provider).registerEntity(ID_NEW, EntityKind.Enterprise, CN, ctx.expiresAt, []);
        await registry.connect(admin).revokeRole(KYC_PROVIDER_ROLE, provider.address);
        await expect(registry.connect(provider).suspendEntity(ID_NEW))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(provider.address, KYC_PROVIDER_ROLE);
        expect((await asRegulator(registry).entity(ID_NEW)).status).to.equal(EntityStatus.Active);
      });
    });

    describe("when the regulator tries to grant itself a role", function () {
      it("cannot take KYC_PROVIDER_ROLE", async function () {
        const ctx = await contextOf();
        const { regulator } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(regulator).grantRole(KYC_PROVIDER_ROLE, regulator.address))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(regulator.address, DEFAULT_ADMIN_ROLE);
        expect(await registry.hasRole(KYC_PROVIDER_ROLE, regulator.address)).to.equal(false);
      });

      it("cannot take DEFAULT_ADMIN_ROLE, neither directly nor by transfer", async function () {
        const ctx = await contextOf();
        const { regulator } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(regulator).grantRole(DEFAULT_ADMIN_ROLE, regulator.address))
          .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminRules")
          .withArgs();
        await expect(registry.connect(regulator).beginDefaultAdminTransfer(regulator.address))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(regulator.address, DEFAULT_ADMIN_ROLE);
        await expect(registry.connect(regulator).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(registry, "AccessControlInvalidDefaultAdmin")
          .withArgs(regulator.address);
        expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, regulator.address)).to.equal(false);
        expect(await registry.defaultAdmin()).to.equal(ctx.accounts.admin.address);
      });
    });
  });

  describe("checklist 5: the regulator", function () {
    describe("when the regulator calls any state-changing function", function () {
      it("reverts for every role-gated function and changes nothing", async function () {
        const ctx = await contextOf();
        const { regulator } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        const byRegulator = registry.connect(regulator);
        const before = await registryState(ctx);
        for (const { role, act } of PRIVILEGED) {
          await expect(act(byRegulator, ctx, regulator))
            .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
            .withArgs(regulator.address, ROLES[role]);
        }
        expect(await registryState(ctx)).to.equal(before);
      });

      it("reverts acceptDefaultAdminTransfer with AccessControlInvalidDefaultAdmin", async function () {
        const ctx = await contextOf();
        const { regulator } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(regulator).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(registry, "AccessControlInvalidDefaultAdmin")
          .withArgs(regulator.address);
      });

      it("reverts renounceRole on another account's role with AccessControlBadConfirmation", async function () {
        const ctx = await contextOf();
        const { regulator, bankA, admin } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        await expect(registry.connect(regulator).renounceRole(KYC_PROVIDER_ROLE, bankA.address))
          .to.be.revertedWithCustomError(registry, "AccessControlBadConfirmation")
          .withArgs();
        await expect(registry.connect(regulator).renounceRole(DEFAULT_ADMIN_ROLE, admin.address))
          .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
          .withArgs(0);
        expect(await registry.hasRole(KYC_PROVIDER_ROLE, bankA.address)).to.equal(true);
        expect(await registry.defaultAdmin()).to.equal(admin.address);
      });

      it("changes nothing by renouncing a role it does not hold (OpenZeppelin no-op, not a revert)", async function () {
        const ctx = await contextOf();
        const { regulator } = ctx.accounts;
        const registry = ctx.suite.identityRegistry;
        const before = await registryState(ctx);
        await expect(registry.connect(regulator).renounceRole(KYC_PROVIDER_ROLE, regulator.address)).not.to.emit(
          registry,
          "RoleRevoked",
        );
        expect(await registryState(ctx)).to.equal(before);
      });
    });
  });
});
