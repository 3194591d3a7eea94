/*
 * SettlementEngine: access and roles, by line of the shared SECURITY-CHECKLIST.md (the engine's side).
 *
 * Covered here:
 *  1. Every privileged engine function refuses every named wallet without its role with
 *     AccessControlUnauthorizedAccount(caller, role) and changes nothing: setListed, grantRole, revokeRole and the
 *     default-admin setters (DEFAULT_ADMIN_ROLE), pause and unpause (PAUSER_ROLE), settle and settleBatch by a
 *     caller that is not a party of the order (AGENT_ROLE). The ledger's operator entry `tradeRange` refuses
 *     every wallet (OPERATOR_ROLE: only the engine and BillPayments hold it), so nobody moves a range around the
 *     engine's checks.
 *  2. For the engine, "verifying" is listing a settlement token: no trader (nor the regulator, pauser or agent)
 *     can list or delist a token. Verifying identities is the registry's (test/security/identity-access.test.ts).
 *  4. DEFAULT_ADMIN_ROLE administers AGENT_ROLE, PAUSER_ROLE and itself; each role is held by the wallet the
 *     deployment names (admin: DEFAULT_ADMIN_ROLE and AGENT_ROLE; pauser: PAUSER_ROLE) and by no other named
 *     wallet; neither the regulator, the pauser nor the agent can grant itself another role.
 *  5. Every state-changing function of the engine's ABI is classified (a new one fails the suite until it is).
 *     The regulator wallet is refused as maker, taker (TradeWrongPartyKind(regulator, 5)) and as a party of every
 *     trade kind, refused every act on another's trade (TradeNotEntitled) and every admin function. Three calls
 *     can succeed without being a power, all asserted: cancelNonce and raiseNonceFloor touch only the caller's
 *     own nonces (the regulator can never be a party, so they void nothing), and clear after the deadline, which
 *     anyone may call and which only gives the maker its own leg back.
 *
 * Not here: 3 (the last admin) is the same AccessControlDefaultAdminRules as the ledger's, tested in
 * bill-access.test.ts; the engine adds nothing to it. The other lines are in the dvp-*.test.ts siblings.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { SettlementEngine } from "../../typechain-types";
import {
  discountTerms,
  termsOf,
  tradingPlatform,
  type DvpFixture,
  signedBy,
  businessDayAfter,
  tradeRecord,
} from "../fixtures/dvp";
import { PART, bankARepo } from "../fixtures/dvpScenes";
import { TradeKind, TradeStatus, billLeg, tokenLeg, tradeIdOf } from "../../tasks/lib/dvp";
import { RangeState, mined } from "../../tasks/lib/bills";
import { expectEachRefused, inCase } from "../behaviors/accessTable";

const REGULATOR_KIND = 5;

type RoleName = "DEFAULT_ADMIN_ROLE" | "AGENT_ROLE" | "PAUSER_ROLE";

async function rolesOf(engine: SettlementEngine): Promise<Record<RoleName, string>> {
  return {
    DEFAULT_ADMIN_ROLE: await engine.DEFAULT_ADMIN_ROLE(),
    AGENT_ROLE: await engine.AGENT_ROLE(),
    PAUSER_ROLE: await engine.PAUSER_ROLE(),
  };
}

function namedWallets(f: DvpFixture): HardhatEthersSigner[] {
  const a = f.accounts;
  return [
    a.admin,
    a.centralBank,
    a.bankA,
    a.bankB,
    a.enterpriseX,
    a.enterpriseY,
    a.regulator,
    a.outsider,
    a.pauser,
    a.financeCo,
    a.enterpriseZ,
  ];
}

/** Every named wallet but the `allowed` is refused `act` with AccessControlUnauthorizedAccount(caller, role). */
async function expectRefusedToOthers(
  f: DvpFixture,
  allowed: HardhatEthersSigner[],
  name: string,
  act: (caller: HardhatEthersSigner) => Promise<ContractTransactionResponse>,
  role: string,
): Promise<void> {
  for (const caller of namedWallets(f)) {
    if (allowed.some((w) => w.address === caller.address)) continue;
    await inCase(
      `${name} by ${caller.address}`,
      expect(act(caller))
        .to.be.revertedWithCustomError(f.suite.settlementEngine, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, role),
    );
  }
}

/**
 * Targets: enterprise Y's open discount proposal of [1, PART] to bank A; bank A bought [PART + 1, 2 PART] by a
 * signed discount and lent it to bank B in an open outright repo (bank A borrower); a signed swap order between
 * bank A and bank B not yet submitted.
 */
async function accessTargets() {
  const f = await loadFixture(tradingPlatform);
  const { accounts, suite } = f;
  const { admin, bankA, bankB, enterpriseY } = accounts;
  const engine = suite.settlementEngine;
  const proposal = await discountTerms(f, enterpriseY, bankA, PART);
  await mined(engine.connect(enterpriseY).propose(proposal));
  const bought = await discountTerms(f, enterpriseY, bankA, PART, { start: PART + 1n });
  await mined(engine.connect(admin).settle(await signedBy(engine, bought, enterpriseY, bankA)));
  const repo = await bankARepo(f, TradeKind.OutrightRepo, PART + 1n, businessDayAfter(BigInt(bought.valueDay)));
  await mined(engine.connect(bankA).settle(await signedBy(engine, repo, bankA, bankB)));
  const swap = await termsOf(TradeKind.Swap, bankA, bankB, tokenLeg(f.currency, 1_000n), tokenLeg(f.currency, 999n));
  const swapOrder = await signedBy(engine, swap, bankA, bankB);
  return { ...f, se: engine, proposal, repo, swapOrder };
}

describe("SettlementEngine security: access and roles", function () {
  describe("[1] privileged functions refuse callers without the role", function () {
    it("[1] setListed, grantRole, revokeRole and the default-admin setters name the caller and DEFAULT_ADMIN_ROLE", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const roles = await rolesOf(engine);
      const token = await hre.ethers.deployContract("PlainERC20", [0n]);
      for (const caller of namedWallets(f)) {
        if (caller.address === f.accounts.admin.address) continue;
        const by = engine.connect(caller);
        const calls: [string, () => Promise<ContractTransactionResponse>][] = [
          ["setListed(new)", () => by.setListed(token, true)],
          ["setListed(currency, false)", () => by.setListed(f.currency, false)],
          ["grantRole(AGENT)", () => by.grantRole(roles.AGENT_ROLE, caller)],
          ["grantRole(PAUSER)", () => by.grantRole(roles.PAUSER_ROLE, caller)],
          ["revokeRole(AGENT)", () => by.revokeRole(roles.AGENT_ROLE, f.accounts.admin)],
          ["revokeRole(PAUSER)", () => by.revokeRole(roles.PAUSER_ROLE, f.accounts.pauser)],
          ["beginDefaultAdminTransfer", () => by.beginDefaultAdminTransfer(caller)],
          ["cancelDefaultAdminTransfer", () => by.cancelDefaultAdminTransfer()],
          ["changeDefaultAdminDelay", () => by.changeDefaultAdminDelay(0n)],
          ["rollbackDefaultAdminDelay", () => by.rollbackDefaultAdminDelay()],
        ];
        for (const [name, call] of calls) {
          await inCase(
            `${name} by ${caller.address}`,
            expect(call())
              .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
              .withArgs(caller.address, roles.DEFAULT_ADMIN_ROLE),
          );
        }
      }
      expect(await engine.isListed(token)).to.equal(false);
      expect(await engine.isListed(f.currency)).to.equal(true);
      expect(await engine.hasRole(roles.AGENT_ROLE, f.accounts.admin)).to.equal(true);
      expect(await engine.hasRole(roles.PAUSER_ROLE, f.accounts.pauser)).to.equal(true);
    });

    it("[1] pause and unpause name the caller and PAUSER_ROLE (the admin included)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const roles = await rolesOf(engine);
      const { pauser } = f.accounts;
      await expectRefusedToOthers(f, [pauser], "pause", (caller) => engine.connect(caller).pause(), roles.PAUSER_ROLE);
      expect(await engine.paused()).to.equal(false);
      await mined(engine.connect(pauser).pause());
      const unpause = (caller: HardhatEthersSigner) => engine.connect(caller).unpause();
      await expectRefusedToOthers(f, [pauser], "unpause", unpause, roles.PAUSER_ROLE);
      expect(await engine.paused()).to.equal(true);
    });

    it("[1] settle by a non-party without AGENT_ROLE names the caller and AGENT_ROLE; the agent may", async function () {
      const t = await loadFixture(accessTargets);
      const { se: engine, swapOrder, accounts } = t;
      const roles = await rolesOf(engine);
      const mayCall = [accounts.admin, accounts.bankA, accounts.bankB];
      const settle = (caller: HardhatEthersSigner) => engine.connect(caller).settle(swapOrder);
      await expectRefusedToOthers(t, mayCall, "settle", settle, roles.AGENT_ROLE);
      expect(await engine.isNonceUsed(accounts.bankA, swapOrder.terms.nonce)).to.equal(false);
      await expect(engine.connect(accounts.admin).settle(swapOrder)).to.changeTokenBalances(
        t.suite.digitalCurrency,
        [accounts.bankA, accounts.bankB],
        [-1n, 1n],
      );
    });

    it("[1] settleBatch by a caller that is not a party of every order and not an agent is refused", async function () {
      const t = await loadFixture(accessTargets);
      const { se: engine, swapOrder, accounts } = t;
      const roles = await rolesOf(engine);
      const { bankA, bankB, enterpriseY } = accounts;
      // An order between bank B and enterprise Y: bank A is a party of the first order only, bank B of both.
      const other = await termsOf(
        TradeKind.Swap,
        bankB,
        enterpriseY,
        tokenLeg(t.currency, 5n),
        tokenLeg(t.currency, 4n),
      );
      const otherOrder = await signedBy(engine, other, bankB, enterpriseY);
      const settleBoth = (caller: HardhatEthersSigner) => engine.connect(caller).settleBatch([swapOrder, otherOrder]);
      await expectRefusedToOthers(t, [accounts.admin, bankB], "settleBatch", settleBoth, roles.AGENT_ROLE);
      // Bank A is refused even for the one order it is not a party of, placed first.
      await expect(engine.connect(bankA).settleBatch([otherOrder, swapOrder]))
        .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
        .withArgs(bankA.address, roles.AGENT_ROLE);
      expect(await engine.isNonceUsed(bankB, other.nonce)).to.equal(false);
      await expect(engine.connect(accounts.admin).settleBatch([swapOrder, otherOrder])).to.changeTokenBalances(
        t.suite.digitalCurrency,
        [bankA, bankB, enterpriseY],
        [-1n, 0n, 1n],
      );
    });

    it("[1] ledger.tradeRange refuses every wallet (OPERATOR_ROLE), the engine admin and agent included", async function () {
      const f = await loadFixture(tradingPlatform);
      const ledger = f.suite.billLedger;
      const operator = await ledger.OPERATOR_ROLE();
      expect(await ledger.hasRole(operator, f.engine)).to.equal(true);
      for (const caller of namedWallets(f)) {
        await inCase(
          `tradeRange by ${caller.address}`,
          expect(
            ledger
              .connect(caller)
              .tradeRange(
                f.billId,
                1n,
                PART,
                f.accounts.enterpriseY,
                RangeState.Circulating,
                caller,
                RangeState.Circulating,
              ),
          )
            .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, operator),
        );
        expect(await ledger.hasRole(operator, caller)).to.equal(false);
      }
      const range = await ledger.rangeAt(f.billId, 1n);
      expect([range.holder, range.end, range.state]).to.deep.equal([
        f.accounts.enterpriseY.address,
        120_000_000n,
        BigInt(RangeState.Circulating),
      ]);
    });
  });

  describe("[2] traders cannot list settlement tokens", function () {
    it("[2] no trader lists a token of its own or delists the currency; only the admin lists", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const roles = await rolesOf(engine);
      const token = await hre.ethers.deployContract("PlainERC20", [0n]);
      const { bankA, bankB, enterpriseX, enterpriseY, financeCo, centralBank, admin } = f.accounts;
      for (const trader of [bankA, bankB, enterpriseX, enterpriseY, financeCo, centralBank]) {
        await expect(engine.connect(trader).setListed(token, true))
          .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
          .withArgs(trader.address, roles.DEFAULT_ADMIN_ROLE);
      }
      // So a trade in the unlisted token cannot even be proposed.
      const terms = await termsOf(
        TradeKind.Swap,
        bankA,
        bankB,
        tokenLeg(await token.getAddress(), 1n),
        tokenLeg(f.currency, 1n),
      );
      await expect(engine.connect(bankA).propose(terms))
        .to.be.revertedWithCustomError(engine, "TradeTokenNotListed")
        .withArgs(await token.getAddress());
      await expect(engine.connect(admin).setListed(token, true)).to.emit(engine, "TokenListed").withArgs(token, true);
      expect(await engine.isListed(token)).to.equal(true);
    });
  });

  describe("[4] role admins and holders", function () {
    it("[4] DEFAULT_ADMIN_ROLE administers every role", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const roles = await rolesOf(engine);
      for (const [name, role] of Object.entries(roles)) {
        expect(await engine.getRoleAdmin(role), name).to.equal(roles.DEFAULT_ADMIN_ROLE);
      }
    });

    it("[4] each role is held by the wallet the deployment names and by no other", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const roles = await rolesOf(engine);
      const holders: Record<RoleName, string> = {
        DEFAULT_ADMIN_ROLE: f.accounts.admin.address,
        AGENT_ROLE: f.accounts.admin.address,
        PAUSER_ROLE: f.accounts.pauser.address,
      };
      for (const [name, role] of Object.entries(roles) as [RoleName, string][]) {
        for (const wallet of namedWallets(f)) {
          expect(await engine.hasRole(role, wallet), `${name} of ${wallet.address}`).to.equal(
            wallet.address === holders[name],
          );
        }
      }
      expect(await engine.defaultAdmin()).to.equal(f.accounts.admin.address);
    });

    for (const who of ["regulator", "pauser"] as const) {
      it(`[4] the ${who} cannot grant itself any engine role`, async function () {
        const f = await loadFixture(tradingPlatform);
        const engine = f.suite.settlementEngine;
        const roles = await rolesOf(engine);
        const self = f.accounts[who];
        for (const role of [roles.AGENT_ROLE, roles.PAUSER_ROLE]) {
          await expect(engine.connect(self).grantRole(role, self))
            .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
            .withArgs(self.address, roles.DEFAULT_ADMIN_ROLE);
        }
        await expect(engine.connect(self).grantRole(roles.DEFAULT_ADMIN_ROLE, self)).to.be.revertedWithCustomError(
          engine,
          "AccessControlEnforcedDefaultAdminRules",
        );
        await expect(engine.connect(self).beginDefaultAdminTransfer(self))
          .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
          .withArgs(self.address, roles.DEFAULT_ADMIN_ROLE);
        const held: string[] = [];
        for (const [name, role] of Object.entries(roles)) if (await engine.hasRole(role, self)) held.push(name);
        expect(held).to.deep.equal(who === "pauser" ? ["PAUSER_ROLE"] : []);
      });
    }
  });

  describe("[5] the regulator wallet", function () {
    /** Every non-view function of the engine, by the error it gives the regulator or as a harmless own act. */
    const REGULATOR_REFUSED = [
      "accept",
      "acceptBatch",
      "acceptDefaultAdminTransfer",
      "beginDefaultAdminTransfer",
      "cancelDefaultAdminTransfer",
      "changeDefaultAdminDelay",
      "clear",
      "closeRepo",
      "defaultRepo",
      "grantRole",
      "pause",
      "propose",
      "reclaim",
      "reject",
      "renounceRole",
      "revokeRole",
      "rollbackDefaultAdminDelay",
      "setListed",
      "settle",
      "settleBatch",
      "unpause",
      "withdraw",
    ];
    const REGULATOR_HARMLESS = ["cancelNonce", "raiseNonceFloor"];

    it("[5] classifies every state-changing function of the engine ABI", async function () {
      const f = await loadFixture(tradingPlatform);
      const names: string[] = [];
      f.suite.settlementEngine.interface.forEachFunction((fn) => {
        if (!fn.constant) names.push(fn.name);
      });
      expect(names.sort()).to.deep.equal([...REGULATOR_REFUSED, ...REGULATOR_HARMLESS].sort());
    });

    it("[5] refuses the regulator every state-changing function that is not harmless, and nothing changes", async function () {
      const t = await loadFixture(accessTargets);
      const { se: engine, accounts, proposal, repo, swapOrder } = t;
      const { regulator, bankA, pauser } = accounts;
      const roles = await rolesOf(engine);
      const by = engine.connect(regulator);
      const proposalId = await tradeIdOf(engine, proposal);
      const repoId = await tradeIdOf(engine, repo);
      const unauthorized = (role: RoleName) => ["AccessControlUnauthorizedAccount", regulator.address, roles[role]];
      const notEntitled = (id: string) => ["TradeNotEntitled", id, regulator.address];
      const wrongKind = ["TradeWrongPartyKind", regulator.address, REGULATOR_KIND];
      const asMaker = await termsOf(
        TradeKind.Swap,
        regulator,
        bankA,
        tokenLeg(t.currency, 1n),
        tokenLeg(t.currency, 1n),
      );
      const asTaker = await termsOf(
        TradeKind.Swap,
        bankA,
        regulator,
        tokenLeg(t.currency, 1n),
        tokenLeg(t.currency, 1n),
      );
      const asTakerOrder = await signedBy(engine, asTaker, bankA, regulator);
      const cases: [string, () => Promise<ContractTransactionResponse>, unknown[]][] = [
        ["propose", () => by.propose(asMaker), wrongKind],
        ["accept", () => by.accept(proposal), notEntitled(proposalId)],
        ["acceptBatch", () => by.acceptBatch([proposal]), notEntitled(proposalId)],
        ["reject", () => by.reject(proposal), notEntitled(proposalId)],
        ["withdraw", () => by.withdraw(proposal), notEntitled(proposalId)],
        ["clear", () => by.clear(proposal), ["TradePending", proposal.deadline]],
        ["reclaim", () => by.reclaim(proposal), notEntitled(proposalId)],
        ["settle", () => by.settle(asTakerOrder), wrongKind],
        ["settleBatch", () => by.settleBatch([swapOrder]), unauthorized("AGENT_ROLE")],
        ["closeRepo", () => by.closeRepo(repo), notEntitled(repoId)],
        ["defaultRepo", () => by.defaultRepo(repo), notEntitled(repoId)],
        ["setListed", () => by.setListed(t.currency, false), unauthorized("DEFAULT_ADMIN_ROLE")],
        ["pause", () => by.pause(), unauthorized("PAUSER_ROLE")],
        ["unpause", () => by.unpause(), unauthorized("PAUSER_ROLE")],
        ["grantRole", () => by.grantRole(roles.AGENT_ROLE, regulator), unauthorized("DEFAULT_ADMIN_ROLE")],
        ["revokeRole", () => by.revokeRole(roles.PAUSER_ROLE, pauser), unauthorized("DEFAULT_ADMIN_ROLE")],
        ["renounceRole", () => by.renounceRole(roles.PAUSER_ROLE, pauser), ["AccessControlBadConfirmation"]],
        [
          "beginDefaultAdminTransfer",
          () => by.beginDefaultAdminTransfer(regulator),
          unauthorized("DEFAULT_ADMIN_ROLE"),
        ],
        ["cancelDefaultAdminTransfer", () => by.cancelDefaultAdminTransfer(), unauthorized("DEFAULT_ADMIN_ROLE")],
        ["changeDefaultAdminDelay", () => by.changeDefaultAdminDelay(0n), unauthorized("DEFAULT_ADMIN_ROLE")],
        ["rollbackDefaultAdminDelay", () => by.rollbackDefaultAdminDelay(), unauthorized("DEFAULT_ADMIN_ROLE")],
        [
          "acceptDefaultAdminTransfer",
          () => by.acceptDefaultAdminTransfer(),
          ["AccessControlInvalidDefaultAdmin", regulator.address],
        ],
      ];
      expect(cases.map(([name]) => name).sort()).to.deep.equal([...REGULATOR_REFUSED].sort());
      await expectEachRefused(engine, cases);
      expect(await tradeRecord(engine, proposalId)).to.deep.equal([BigInt(TradeStatus.Proposed), 0n]);
      expect(await tradeRecord(engine, repoId)).to.deep.equal([BigInt(TradeStatus.RepoOpen), 0n]);
      expect(await engine.isNonceUsed(bankA, swapOrder.terms.nonce)).to.equal(false);
      expect(await engine.isListed(t.currency)).to.equal(true);
      expect(await engine.paused()).to.equal(false);
      expect(await engine.defaultAdmin()).to.equal(accounts.admin.address);
    });

    it("[5] refuses the regulator as seller or buyer of every trade kind (TradeWrongPartyKind)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { regulator, bankA, bankB, centralBank, enterpriseY } = f.accounts;
      const bill = billLeg(f.ledger, f.billId, 1n, PART);
      const cash = tokenLeg(f.currency, PART);
      const kinds: [TradeKind, HardhatEthersSigner, HardhatEthersSigner][] = [
        [TradeKind.Swap, bankA, bankB],
        [TradeKind.FreeOfPayment, bankA, bankB],
        [TradeKind.Discount, enterpriseY, bankA],
        [TradeKind.Rediscount, bankA, bankB],
        [TradeKind.CentralBankRediscount, bankA, centralBank],
        [TradeKind.OutrightSale, bankA, bankB],
        [TradeKind.PledgeRepo, bankA, bankB],
        [TradeKind.OutrightRepo, bankA, bankB],
      ];
      for (const [kind, seller, buyer] of kinds) {
        const buyerLeg = kind === TradeKind.FreeOfPayment ? undefined : cash;
        // The regulator as the seller (maker) of a bill leg, proposing.
        const asSeller = await termsOf(kind, regulator, buyer, bill, buyerLeg);
        await inCase(
          `kind ${kind}: regulator seller proposes`,
          expect(engine.connect(regulator).propose(asSeller))
            .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
            .withArgs(regulator.address, REGULATOR_KIND),
        );
        // The regulator as the buyer (taker): the seller cannot propose to it, nor can it settle the signed order.
        const asBuyer = await termsOf(kind, seller, regulator, bill, buyerLeg);
        await inCase(
          `kind ${kind}: proposal to the regulator`,
          expect(engine.connect(seller).propose(asBuyer))
            .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
            .withArgs(regulator.address, REGULATOR_KIND),
        );
        await inCase(
          `kind ${kind}: regulator settles as taker`,
          expect(engine.connect(regulator).settle(await signedBy(engine, asBuyer, seller, regulator)))
            .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
            .withArgs(regulator.address, REGULATOR_KIND),
        );
      }
    });

    it("[5] the regulator has no nonces to cancel, and clear after the deadline returns the maker's leg", async function () {
      const t = await loadFixture(accessTargets);
      const { se: engine, accounts, proposal, swapOrder } = t;
      const { regulator, bankA, enterpriseY } = accounts;
      await expect(engine.connect(regulator).cancelNonce(swapOrder.terms.nonce))
        .to.be.revertedWithCustomError(engine, "TradeRegulatorCaller")
        .withArgs(regulator.address);
      await expect(engine.connect(regulator).raiseNonceFloor(2n ** 200n))
        .to.be.revertedWithCustomError(engine, "TradeRegulatorCaller")
        .withArgs(regulator.address);
      expect(await engine.isNonceUsed(bankA, swapOrder.terms.nonce)).to.equal(false);
      expect(await engine.nonceFloor(bankA)).to.equal(0n);
      await time.increaseTo(proposal.deadline);
      await expect(engine.connect(regulator).clear(proposal))
        .to.emit(engine, "TradeEnded")
        .withArgs(await tradeIdOf(engine, proposal), TradeStatus.Cleared, regulator.address);
      const range = await t.suite.billLedger.rangeAt(t.billId, 1n);
      expect([range.holder, range.state]).to.deep.equal([enterpriseY.address, BigInt(RangeState.Circulating)]);
    });
  });
});
