/*
 * DigitalCurrency: access, roles and compliance, by line of the shared SECURITY-CHECKLIST.md.
 *
 * Covered here:
 *  1. Every privileged function (mint, burn, pause, unpause, freezeAccount, unfreezeAccount, freezeAmount,
 *     unfreezeAmount, grantRole, revokeRole and the default-admin setters) rejects every wallet without its role
 *     with AccessControlUnauthorizedAccount(caller, role). The identity hooks (onSubscribed, onUnsubscribed,
 *     onCredentialsChanged) are privileged to one caller, the identity registry: every wallet, the admin
 *     included, gets IdentitySubscriberUnauthorized(caller) and the gate's subscription and copies stay as they
 *     were.
 *  3. The last admin can be neither revoked nor renounced at once, and no second admin can be granted; the admin
 *     role moves only in two steps (begin, then accept after the delay), edges at schedule − 1, schedule, + 1.
 *  4. DEFAULT_ADMIN_ROLE administers every role; the regulator can grant itself no role at all.
 *  5. Every state-changing function of the currency reverts when the regulator calls it, except its own acts:
 *     freezeAccount, unfreezeAccount, freezeAmount, unfreezeAmount (the registry-only identity hooks refuse it
 *     with IdentitySubscriberUnauthorized(regulator)). The list is checked against the ABI, so a new
 *     function fails this suite until it is classified. Two calls succeed without being a power: renouncing its
 *     own REGULATOR_ROLE (it can only give power up, the admin restores it) and relaying a permit another holder
 *     signed (msg.sender is no party to a permit; only the signer's allowance to the named spender is set).
 *  6. Transfer, mint, transferFrom, approve and permit to or from an unverified or expired identity revert. The
 *     full matrix (every act × never registered, expired at the second, suspended, revoked, unlinked, and
 *     recovery) is `shouldBehaveLikeKycGated`, run in test/unit/token/DigitalCurrency.test.ts; this file keeps a
 *     short, named check of the line.
 *  9. No settlement contract exists yet, so the fixture has none to forget. The line is tested on what it rests
 *     on: a contract the registry has not registered as a system account cannot receive currency (a PlainERC20
 *     stands in); once the admin registers it, it can; once removed, it cannot again. When the DvP contract
 *     lands, its fixture must register it and a test must show the unregistered deployment failing.
 * 10. Does not apply: the design has no forced transfer at all. The regulator freezes accounts and amounts but
 *     moves no money (no forceTransfer, no seizure, no allowance can ever name it). Tested instead: the regulator
 *     cannot move anyone's money, and a holder's self-transfer (from == to) changes no balance and still obeys an
 *     account freeze and a partial freeze.
 *
 * Elsewhere: 2 (self-verification) is the registry's, in test/security/identity-access.test.ts; 7, 8 and 11 to 38
 * concern bills and settlement, which do not exist yet.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { DigitalCurrency } from "../../typechain-types";
import { CODES, entityIdOf, fundedPlatform } from "../fixtures/platform";
import type { Accounts } from "../fixtures/platform";
import { signPermit } from "../behaviors/kycGated";
import {
  beginAdminTransfer,
  defaultAdminCases,
  expectAcceptanceRefusedUntilSchedule,
  expectAdminOfEveryRole,
  expectEachRefused,
  expectEachReverts,
  expectNoRevokeNorSecondAdmin,
  expectNoSelfGrant,
  expectNoUnscheduledRenounce,
  expectRenouncesOnlyItsOwn,
  expectUnauthorized,
  heldRoles,
  registryHookCases,
  shouldRefuseRegistryHooks,
  stateChangingFunctions,
  walletsWithout,
} from "../behaviors/accessTable";
import type { RefusedCase, RegistryHook } from "../behaviors/accessTable";
import { EntityKind, EntityStatus } from "../../tasks/lib/identity";

const { MaxUint256 } = hre.ethers;

const AMOUNT = 100_00n;
const ONE_DAY = 24n * 60n * 60n;

type RoleName = "DEFAULT_ADMIN_ROLE" | "ISSUER_ROLE" | "PAUSER_ROLE" | "REGULATOR_ROLE";
type Roles = Record<RoleName, string>;

async function rolesOf(currency: DigitalCurrency): Promise<Roles> {
  return {
    DEFAULT_ADMIN_ROLE: await currency.DEFAULT_ADMIN_ROLE(),
    ISSUER_ROLE: await currency.ISSUER_ROLE(),
    PAUSER_ROLE: await currency.PAUSER_ROLE(),
    REGULATOR_ROLE: await currency.REGULATOR_ROLE(),
  };
}

function namedWallets(accounts: Accounts): HardhatEthersSigner[] {
  const { admin, centralBank, bankA, bankB, enterpriseX, enterpriseY, regulator, outsider, pauser } = accounts;
  return [admin, centralBank, bankA, bankB, enterpriseX, enterpriseY, regulator, outsider, pauser];
}

/** A role-gated call; `target` is a verified wallet to act upon. */
interface PrivilegedCall {
  name: string;
  role: RoleName;
  call: (currency: DigitalCurrency, roles: Roles, target: string) => Promise<ContractTransactionResponse>;
}

const PRIVILEGED: PrivilegedCall[] = [
  { name: "mint", role: "ISSUER_ROLE", call: (c, _r, t) => c.mint(t, AMOUNT) },
  { name: "burn", role: "ISSUER_ROLE", call: (c) => c.burn(AMOUNT) },
  { name: "pause", role: "PAUSER_ROLE", call: (c) => c.pause() },
  { name: "unpause", role: "PAUSER_ROLE", call: (c) => c.unpause() },
  { name: "freezeAccount", role: "REGULATOR_ROLE", call: (c, _r, t) => c.freezeAccount(t) },
  { name: "unfreezeAccount", role: "REGULATOR_ROLE", call: (c, _r, t) => c.unfreezeAccount(t) },
  { name: "freezeAmount", role: "REGULATOR_ROLE", call: (c, _r, t) => c.freezeAmount(t, AMOUNT) },
  { name: "unfreezeAmount", role: "REGULATOR_ROLE", call: (c, _r, t) => c.unfreezeAmount(t, AMOUNT) },
  { name: "grantRole", role: "DEFAULT_ADMIN_ROLE", call: (c, r, t) => c.grantRole(r.ISSUER_ROLE, t) },
  { name: "revokeRole", role: "DEFAULT_ADMIN_ROLE", call: (c, r, t) => c.revokeRole(r.ISSUER_ROLE, t) },
  { name: "beginDefaultAdminTransfer", role: "DEFAULT_ADMIN_ROLE", call: (c, _r, t) => c.beginDefaultAdminTransfer(t) },
  { name: "cancelDefaultAdminTransfer", role: "DEFAULT_ADMIN_ROLE", call: (c) => c.cancelDefaultAdminTransfer() },
  { name: "changeDefaultAdminDelay", role: "DEFAULT_ADMIN_ROLE", call: (c) => c.changeDefaultAdminDelay(0n) },
  { name: "rollbackDefaultAdminDelay", role: "DEFAULT_ADMIN_ROLE", call: (c) => c.rollbackDefaultAdminDelay() },
];

const REGISTRY_HOOKS: RegistryHook<DigitalCurrency>[] = [
  { name: "onSubscribed", call: (c) => c.onSubscribed() },
  { name: "onUnsubscribed", call: (c) => c.onUnsubscribed() },
  {
    name: "onCredentialsChanged",
    // Would make the target a regulator wallet for good, were anyone but the registry allowed to write it.
    call: (c, t) =>
      c.onCredentialsChanged([t], {
        expiresAt: 2n ** 48n - 1n,
        status: EntityStatus.Active,
        kind: EntityKind.Regulator,
        entity: 0n,
      }),
  },
];

describe("DigitalCurrency access and compliance", function () {
  describe("privileged functions (checklist 1)", function () {
    shouldRefuseRegistryHooks(REGISTRY_HOOKS, async () => {
      const { accounts, suite } = await loadFixture(fundedPlatform);
      return { gate: suite.digitalCurrency, callers: namedWallets(accounts), target: accounts.enterpriseX.address };
    });

    for (const { name, role, call } of PRIVILEGED) {
      describe(`.${name}()`, function () {
        it(`rejects every wallet without ${role}: AccessControlUnauthorizedAccount(caller, role)`, async function () {
          const { accounts, suite } = await loadFixture(fundedPlatform);
          const currency = suite.digitalCurrency;
          const roles = await rolesOf(currency);
          const outsiders = await walletsWithout(currency, roles[role], namedWallets(accounts));
          expect(outsiders).to.have.length(namedWallets(accounts).length - 1);
          await expectUnauthorized(currency, roles[role], outsiders, (caller) =>
            call(currency.connect(caller), roles, accounts.enterpriseX.address),
          );
        });
      });
    }
  });

  describe("the default admin (checklist 3)", function () {
    describe("when anyone tries to remove or duplicate the admin", function () {
      it("refuses revoking it or granting a second one: AccessControlEnforcedDefaultAdminRules", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const byAdmin = suite.digitalCurrency.connect(accounts.admin);
        await expectNoRevokeNorSecondAdmin(byAdmin, accounts.admin, accounts.bankA);
        expect(await byAdmin.defaultAdmin()).to.equal(accounts.admin.address);
        expect(await byAdmin.hasRole(await byAdmin.DEFAULT_ADMIN_ROLE(), accounts.bankA.address)).to.equal(false);
      });

      it("refuses an unscheduled renouncement with AccessControlEnforcedDefaultAdminDelay(0)", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const byAdmin = suite.digitalCurrency.connect(accounts.admin);
        await expectNoUnscheduledRenounce(byAdmin, accounts.admin);
        expect(await byAdmin.hasRole(await byAdmin.DEFAULT_ADMIN_ROLE(), accounts.admin.address)).to.equal(true);
      });
    });

    describe("when the admin begins a transfer", function () {
      async function transferBegun() {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const currency = suite.digitalCurrency;
        const newAdmin = accounts.extra[0];
        const { tx, schedule } = await beginAdminTransfer(currency, accounts.admin, newAdmin);
        return { accounts, currency, newAdmin, tx, schedule };
      }

      it("schedules it the admin delay ahead", async function () {
        const { currency, newAdmin, tx, schedule } = await transferBegun();
        await expect(tx).to.emit(currency, "DefaultAdminTransferScheduled").withArgs(newAdmin.address, schedule);
        expect(await currency.pendingDefaultAdmin()).to.deep.equal([newAdmin.address, schedule]);
      });

      it("refuses acceptance by any other wallet with AccessControlInvalidDefaultAdmin(caller)", async function () {
        const { accounts, currency, schedule } = await transferBegun();
        await time.increaseTo(schedule + 1n);
        for (const caller of [accounts.admin, accounts.regulator, accounts.outsider]) {
          await expect(currency.connect(caller).acceptDefaultAdminTransfer())
            .to.be.revertedWithCustomError(currency, "AccessControlInvalidDefaultAdmin")
            .withArgs(caller.address);
        }
      });

      it("refuses acceptance at schedule − 1 and at schedule, and hands over at schedule + 1", async function () {
        const { accounts, currency, newAdmin, schedule } = await transferBegun();
        await expectAcceptanceRefusedUntilSchedule(currency, newAdmin, schedule);
        const adminRole = await currency.DEFAULT_ADMIN_ROLE();
        await expect(currency.connect(newAdmin).acceptDefaultAdminTransfer())
          .to.emit(currency, "RoleRevoked")
          .withArgs(adminRole, accounts.admin.address, newAdmin.address);
        expect(await currency.defaultAdmin()).to.equal(newAdmin.address);
        expect(await currency.hasRole(adminRole, accounts.admin.address)).to.equal(false);
      });

      it("lets the admin cancel it, after which the new admin cannot accept", async function () {
        const { accounts, currency, newAdmin, schedule } = await transferBegun();
        await currency.connect(accounts.admin).cancelDefaultAdminTransfer();
        await time.increaseTo(schedule + 1n);
        await expect(currency.connect(newAdmin).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(currency, "AccessControlInvalidDefaultAdmin")
          .withArgs(newAdmin.address);
        expect(await currency.defaultAdmin()).to.equal(accounts.admin.address);
      });
    });
  });

  describe("role administration (checklist 4)", function () {
    it("makes DEFAULT_ADMIN_ROLE the admin of every role", async function () {
      const { suite } = await loadFixture(fundedPlatform);
      const currency = suite.digitalCurrency;
      await expectAdminOfEveryRole(currency, await rolesOf(currency));
    });

    describe("when the regulator tries to grant itself a role", function () {
      it("reverts for every role and leaves it holding only REGULATOR_ROLE", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const currency = suite.digitalCurrency;
        const roles = await rolesOf(currency);
        await expectNoSelfGrant(currency, accounts.regulator, roles);
        expect(await heldRoles(currency, roles, accounts.regulator.address)).to.deep.equal(["REGULATOR_ROLE"]);
      });
    });
  });

  describe("the regulator (checklist 5)", function () {
    /** Every non-view function of the currency, by the error it gives the regulator or as one of its own acts. */
    const REGULATOR_REFUSED = [
      "acceptDefaultAdminTransfer",
      "approve",
      "beginDefaultAdminTransfer",
      "burn",
      "cancelDefaultAdminTransfer",
      "changeDefaultAdminDelay",
      "grantRole",
      "mint",
      "pause",
      "permit",
      "renounceRole",
      "revokeRole",
      "rollbackDefaultAdminDelay",
      "transfer",
      "transferFrom",
      "unpause",
      "onSubscribed",
      "onUnsubscribed",
      "onCredentialsChanged",
    ];
    const REGULATOR_OWN = ["freezeAccount", "freezeAmount", "unfreezeAccount", "unfreezeAmount"];

    it("classifies every state-changing function of the ABI", async function () {
      const { suite } = await loadFixture(fundedPlatform);
      expect(stateChangingFunctions(suite.digitalCurrency).sort()).to.deep.equal(
        [...REGULATOR_REFUSED, ...REGULATOR_OWN].sort(),
      );
    });

    it("refuses the regulator every state-changing function that is not its own act", async function () {
      const { accounts, suite } = await loadFixture(fundedPlatform);
      const currency = suite.digitalCurrency;
      const roles = await rolesOf(currency);
      const { admin, centralBank, enterpriseX, enterpriseY, regulator } = accounts;
      const byRegulator = currency.connect(regulator);
      const permit = await signPermit(currency, regulator, enterpriseX.address, AMOUNT, MaxUint256);
      const unauthorized = (role: RoleName) => ["AccessControlUnauthorizedAccount", regulator.address, roles[role]];
      const regulatorAccount = ["CurrencyRegulatorAccount", regulator.address];
      const cases: RefusedCase[] = [
        ["mint", () => byRegulator.mint(enterpriseX.address, AMOUNT), unauthorized("ISSUER_ROLE")],
        ["burn", () => byRegulator.burn(AMOUNT), unauthorized("ISSUER_ROLE")],
        ["pause", () => byRegulator.pause(), unauthorized("PAUSER_ROLE")],
        ["unpause", () => byRegulator.unpause(), unauthorized("PAUSER_ROLE")],
        ["grantRole", () => byRegulator.grantRole(roles.ISSUER_ROLE, enterpriseX), unauthorized("DEFAULT_ADMIN_ROLE")],
        [
          "revokeRole",
          () => byRegulator.revokeRole(roles.ISSUER_ROLE, centralBank),
          unauthorized("DEFAULT_ADMIN_ROLE"),
        ],
        [
          "renounceRole",
          () => byRegulator.renounceRole(roles.ISSUER_ROLE, centralBank),
          ["AccessControlBadConfirmation"],
        ],
        ...defaultAdminCases(byRegulator, regulator, roles.DEFAULT_ADMIN_ROLE),
        ["transfer", () => byRegulator.transfer(enterpriseX, AMOUNT), regulatorAccount],
        ["approve", () => byRegulator.approve(enterpriseX, AMOUNT), regulatorAccount],
        ["transferFrom", () => byRegulator.transferFrom(enterpriseX, enterpriseY, AMOUNT), regulatorAccount],
        [
          "permit",
          () => byRegulator.permit(regulator, enterpriseX, AMOUNT, MaxUint256, permit.v, permit.r, permit.s),
          regulatorAccount,
        ],
        ...registryHookCases(REGISTRY_HOOKS, byRegulator, regulator.address, enterpriseX.address),
      ];
      expect(cases.map(([name]) => name).sort()).to.deep.equal([...REGULATOR_REFUSED].sort());
      await expectEachRefused(currency, cases);
      expect(await currency.defaultAdmin()).to.equal(admin.address);
    });

    it("lets the regulator carry out its own acts: freeze and unfreeze accounts and amounts", async function () {
      const { accounts, suite } = await loadFixture(fundedPlatform);
      const currency = suite.digitalCurrency;
      const byRegulator = currency.connect(accounts.regulator);
      const x = accounts.enterpriseX.address;
      await expect(byRegulator.freezeAccount(x)).to.emit(currency, "AccountFrozen");
      await expect(byRegulator.unfreezeAccount(x)).to.emit(currency, "AccountUnfrozen");
      await expect(byRegulator.freezeAmount(x, AMOUNT)).to.emit(currency, "AmountFrozen");
      await expect(byRegulator.unfreezeAmount(x, AMOUNT)).to.emit(currency, "AmountUnfrozen");
    });

    it("lets the regulator give up its own role, and nothing more, through renounceRole", async function () {
      const { accounts, suite } = await loadFixture(fundedPlatform);
      const currency = suite.digitalCurrency;
      const roles = await rolesOf(currency);
      const { regulator } = accounts;
      await expectRenouncesOnlyItsOwn(currency, regulator, roles.ISSUER_ROLE, roles.REGULATOR_ROLE);
      await expect(currency.connect(regulator).freezeAccount(accounts.enterpriseX.address))
        .to.be.revertedWithCustomError(currency, "AccessControlUnauthorizedAccount")
        .withArgs(regulator.address, roles.REGULATOR_ROLE);
    });

    it("gains no allowance by relaying a permit another holder signed", async function () {
      const { accounts, suite } = await loadFixture(fundedPlatform);
      const currency = suite.digitalCurrency;
      const { enterpriseX, enterpriseY, regulator } = accounts;
      const { v, r, s } = await signPermit(currency, enterpriseX, enterpriseY.address, AMOUNT, MaxUint256);
      await expect(currency.connect(regulator).permit(enterpriseX, enterpriseY, AMOUNT, MaxUint256, v, r, s))
        .to.emit(currency, "Approval")
        .withArgs(enterpriseX.address, enterpriseY.address, AMOUNT);
      expect(await currency.allowance(enterpriseX.address, regulator.address)).to.equal(0n);
    });
  });

  describe("KYC on every act (checklist 6; full matrix in shouldBehaveLikeKycGated)", function () {
    describe("when a party was never verified", function () {
      it("refuses transfer, mint, transferFrom, approve and permit to or from it", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const currency = suite.digitalCurrency;
        const { centralBank, enterpriseY: y, outsider: o } = accounts;
        await currency.connect(y).approve(y.address, MaxUint256);
        const byOutsider = await signPermit(currency, o, y.address, AMOUNT, MaxUint256);
        const toOutsider = await signPermit(currency, y, o.address, AMOUNT, MaxUint256);
        const attempts: [string, () => Promise<ContractTransactionResponse>][] = [
          ["transfer from it", () => currency.connect(o).transfer(y, AMOUNT)],
          ["transfer to it", () => currency.connect(y).transfer(o, AMOUNT)],
          ["mint to it", () => currency.connect(centralBank).mint(o, AMOUNT)],
          ["transferFrom by it", () => currency.connect(o).transferFrom(y, y, AMOUNT)],
          ["transferFrom to it", () => currency.connect(y).transferFrom(y, o, AMOUNT)],
          ["approve by it", () => currency.connect(o).approve(y, AMOUNT)],
          ["approve to it", () => currency.connect(y).approve(o, AMOUNT)],
          ["permit by it", () => currency.permit(o, y, AMOUNT, MaxUint256, byOutsider.v, byOutsider.r, byOutsider.s)],
          ["permit to it", () => currency.permit(y, o, AMOUNT, MaxUint256, toOutsider.v, toOutsider.r, toOutsider.s)],
        ];
        await expectEachReverts(currency, attempts, "CurrencyUnverifiedAccount", o.address);
      });
    });

    describe("when a party's verification has expired", function () {
      it("refuses transfer, mint, transferFrom, approve and permit to or from it", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const currency = suite.digitalCurrency;
        const { bankA, bankB, centralBank, enterpriseX: x, enterpriseY: y } = accounts;
        await currency.connect(x).approve(y.address, MaxUint256);
        await currency.connect(y).approve(x.address, MaxUint256);
        await currency.connect(y).approve(y.address, MaxUint256);
        const expiresAt = BigInt(await time.latest()) + ONE_DAY;
        await suite.identityRegistry.connect(bankA).renewEntity(entityIdOf(CODES.enterpriseX), expiresAt);
        await time.increaseTo(expiresAt);
        // Allowances raised from zero (bank B's): lowering one is never refused, whoever has lapsed (finding 7).
        const byX = await signPermit(currency, x, bankB.address, AMOUNT, MaxUint256);
        const toX = await signPermit(currency, bankB, x.address, AMOUNT, MaxUint256);
        const attempts: [string, () => Promise<ContractTransactionResponse>][] = [
          ["transfer from it", () => currency.connect(x).transfer(y, AMOUNT)],
          ["transfer to it", () => currency.connect(y).transfer(x, AMOUNT)],
          ["mint to it", () => currency.connect(centralBank).mint(x, AMOUNT)],
          ["transferFrom of its money", () => currency.connect(y).transferFrom(x, y, AMOUNT)],
          ["transferFrom by it", () => currency.connect(x).transferFrom(y, bankB, AMOUNT)],
          ["transferFrom to it", () => currency.connect(y).transferFrom(y, x, AMOUNT)],
          ["approve by it", () => currency.connect(x).approve(bankB, AMOUNT)],
          ["approve to it", () => currency.connect(bankB).approve(x, AMOUNT)],
          ["permit by it", () => currency.permit(x, bankB, AMOUNT, MaxUint256, byX.v, byX.r, byX.s)],
          ["permit to it", () => currency.permit(bankB, x, AMOUNT, MaxUint256, toX.v, toX.r, toX.s)],
        ];
        await expectEachReverts(currency, attempts, "CurrencyUnverifiedAccount", x.address);
      });
    });
  });

  describe("contracts as holders (checklist 9)", function () {
    async function withStandInContract() {
      const { accounts, suite } = await loadFixture(fundedPlatform);
      const standIn = await hre.ethers.deployContract("PlainERC20", [0]);
      await standIn.waitForDeployment();
      return { accounts, suite, contract: await standIn.getAddress() };
    }

    describe("when the registry has not registered the contract as a system account", function () {
      it("refuses to send it money with CurrencyUnverifiedAccount(contract)", async function () {
        const { accounts, suite, contract } = await withStandInContract();
        const currency = suite.digitalCurrency;
        await expect(currency.connect(accounts.enterpriseX).transfer(contract, AMOUNT))
          .to.be.revertedWithCustomError(currency, "CurrencyUnverifiedAccount")
          .withArgs(contract);
        await expect(currency.connect(accounts.centralBank).mint(contract, AMOUNT))
          .to.be.revertedWithCustomError(currency, "CurrencyUnverifiedAccount")
          .withArgs(contract);
      });
    });

    describe("when the admin registers it, then removes it", function () {
      it("accepts money for it while registered and refuses it again after removal", async function () {
        const { accounts, suite, contract } = await withStandInContract();
        const currency = suite.digitalCurrency;
        const byAdmin = suite.identityRegistry.connect(accounts.admin);
        const byX = currency.connect(accounts.enterpriseX);
        await byAdmin.registerSystemAccount(contract);
        await expect(byX.transfer(contract, AMOUNT)).to.changeTokenBalances(
          currency,
          [accounts.enterpriseX.address, contract],
          [-AMOUNT, AMOUNT],
        );
        await byAdmin.removeSystemAccount(contract);
        await expect(byX.transfer(contract, AMOUNT))
          .to.be.revertedWithCustomError(currency, "CurrencyUnverifiedAccount")
          .withArgs(contract);
        expect(await currency.balanceOf(contract)).to.equal(AMOUNT);
      });
    });
  });

  describe("no forced transfer (checklist 10 does not apply)", function () {
    describe("when the regulator tries to move a holder's money", function () {
      it("reverts: it holds no allowance and can be given none", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const currency = suite.digitalCurrency;
        const { enterpriseX, enterpriseY, regulator } = accounts;
        await currency.connect(regulator).freezeAccount(enterpriseX.address);
        for (const to of [enterpriseY, regulator, enterpriseX]) {
          await expect(currency.connect(regulator).transferFrom(enterpriseX, to, AMOUNT))
            .to.be.revertedWithCustomError(currency, "CurrencyRegulatorAccount")
            .withArgs(regulator.address);
        }
        await expect(currency.connect(enterpriseX).approve(regulator, AMOUNT))
          .to.be.revertedWithCustomError(currency, "CurrencyRegulatorAccount")
          .withArgs(regulator.address);
        expect(await currency.allowance(enterpriseX.address, regulator.address)).to.equal(0n);
        expect(await currency.balanceOf(enterpriseX.address)).to.equal(1_000_000_00n);
      });
    });

    describe("when a holder transfers to itself (from == to)", function () {
      it("leaves its balance and the supply unchanged", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const currency = suite.digitalCurrency;
        const { bankA, enterpriseX } = accounts;
        const supply = await currency.totalSupply();
        const tx = currency.connect(enterpriseX).transfer(enterpriseX, AMOUNT);
        await expect(tx).to.changeTokenBalance(currency, enterpriseX, 0n);
        await expect(tx).to.emit(currency, "Transfer").withArgs(enterpriseX.address, enterpriseX.address, AMOUNT);
        await currency.connect(enterpriseX).approve(bankA, AMOUNT);
        await expect(currency.connect(bankA).transferFrom(enterpriseX, enterpriseX, AMOUNT)).to.changeTokenBalances(
          currency,
          [enterpriseX, bankA],
          [0n, 0n],
        );
        expect(await currency.totalSupply()).to.equal(supply);
      });

      it("still refuses a frozen account with CurrencyAccountFrozen", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const currency = suite.digitalCurrency;
        const { bankA, enterpriseX, regulator } = accounts;
        await currency.connect(enterpriseX).approve(bankA, AMOUNT);
        await currency.connect(regulator).freezeAccount(enterpriseX);
        await expect(currency.connect(enterpriseX).transfer(enterpriseX, AMOUNT))
          .to.be.revertedWithCustomError(currency, "CurrencyAccountFrozen")
          .withArgs(enterpriseX.address);
        await expect(currency.connect(bankA).transferFrom(enterpriseX, enterpriseX, AMOUNT))
          .to.be.revertedWithCustomError(currency, "CurrencyAccountFrozen")
          .withArgs(enterpriseX.address);
      });

      it("still refuses more than the available balance under a partial freeze", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const currency = suite.digitalCurrency;
        const { enterpriseX, regulator } = accounts;
        const balance = await currency.balanceOf(enterpriseX);
        await currency.connect(regulator).freezeAmount(enterpriseX, balance);
        await expect(currency.connect(enterpriseX).transfer(enterpriseX, 1n))
          .to.be.revertedWithCustomError(currency, "CurrencyInsufficientAvailableBalance")
          .withArgs(enterpriseX.address, 0n, 1n);
        expect(await currency.availableBalanceOf(enterpriseX)).to.equal(0n);
        expect(await currency.balanceOf(enterpriseX)).to.equal(balance);
      });
    });
  });
});
