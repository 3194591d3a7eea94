/*
 * SettlementEngine: re-entrancy and failing receivers, by line of the shared SECURITY-CHECKLIST.md.
 *
 * The attacker is HookToken (contracts/test), listed by the admin as a settlement token: on a transfer it makes
 * one call to a target with given data (like an ERC-777 / ERC-1363 hook), records whether it succeeded and what it
 * returned, and with `bubble` makes the transfer revert when the call fails. The engine's ledger makes no call to
 * a receiver (ranges are entries, not ERC-721/1155 transfers), so a token leg is the only way back in.
 *
 * Covered here:
 * 23. A hook fired by each token movement of the engine — the pull into escrow (propose), the payout from escrow
 *     (accept), a refund (withdraw, clear, reclaim), a pull between parties (settle, settleBatch), a repo's
 *     opening and closing payments (settle, closeRepo) — re-entering accept, acceptBatch, settle, settleBatch,
 *     clear, withdraw, reject, reclaim, closeRepo, defaultRepo or propose is stopped by the guard: the hook's call
 *     fails (`lastHookSucceeded` false) with ReentrancyGuardReentrantCall's selector, and the outer act completes
 *     once with a consistent state (status, escrowed(token), balances, ranges). cancelNonce and raiseNonceFloor are
 *     not guarded: they touch only the caller's own nonces (here the token's), asserted harmless.
 * 24. A receiver that reverts (a blocked recipient of the taker's or the maker's payment, or a hook that bubbles
 *     its failure) makes the accept or settlement revert as a whole: no balance, escrow, range, status or nonce
 *     changes. The other side still gets its leg back: clear after the deadline returns the maker's range at once,
 *     or its tokens (a refund the token refuses is kept as refundOwed and reclaimed once the token accepts it).
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HookToken, SettlementEngine } from "../../typechain-types";
import {
  FACE,
  discountTerms,
  termsOf,
  tradingPlatform,
  signedBy,
  businessDayAfter,
  tradeRecord,
} from "../fixtures/dvp";
import { PART, bankARepo, rangeAt } from "../fixtures/dvpScenes";
import { TradeKind, TradeStatus, billLeg, tokenLeg, tradeIdOf } from "../../tasks/lib/dvp";
import { RangeState, cstDayOf, mined } from "../../tasks/lib/bills";

const MINTED = 100n * PART;

/**
 * HookToken listed and held (and approved for the engine) by enterprises X and Y and banks A and B; bank A
 * bought [1, PART] so that it can open repos. `proposal`: X offers PART hook tokens for the first PART units of Y's
 * range at PART + 1.
 */
async function hookPlatform() {
  const f = await loadFixture(tradingPlatform);
  const engine = f.suite.settlementEngine;
  const { admin, bankA, bankB, enterpriseX, enterpriseY } = f.accounts;
  const token = await hre.ethers.deployContract("HookToken");
  await mined(engine.connect(admin).setListed(token, true));
  for (const holder of [bankA, bankB, enterpriseX, enterpriseY]) {
    await mined(token.mint(holder, MINTED));
    await mined(token.connect(holder).approve(f.engine, hre.ethers.MaxUint256));
  }
  const bought = await discountTerms(f, enterpriseY, bankA, PART, { start: 1n });
  await mined(engine.connect(admin).settle(await signedBy(engine, bought, enterpriseY, bankA)));
  const tokenAddress = await token.getAddress();
  const proposal = await termsOf(
    TradeKind.Swap,
    enterpriseX,
    enterpriseY,
    tokenLeg(tokenAddress, PART),
    billLeg(f.ledger, f.billId, PART + 1n, PART),
  );
  await mined(engine.connect(enterpriseX).propose(proposal));
  return { ...f, se: engine, token, tokenAddress, proposal, proposalId: await tradeIdOf(engine, proposal) };
}

type Hooked = Awaited<ReturnType<typeof hookPlatform>>;

/** Valid-looking calldata for every guarded engine function, built from the platform's own trades. */
async function reentryCalls(h: Hooked): Promise<[string, string][]> {
  const { se: engine, proposal, accounts } = h;
  const i = engine.interface;
  const order = await signedBy(
    engine,
    await termsOf(
      TradeKind.Swap,
      accounts.bankA,
      accounts.bankB,
      tokenLeg(h.tokenAddress, 1n),
      tokenLeg(h.currency, 1n),
    ),
    accounts.bankA,
    accounts.bankB,
  );
  return [
    ["accept", i.encodeFunctionData("accept", [proposal])],
    ["acceptBatch", i.encodeFunctionData("acceptBatch", [[proposal]])],
    ["reject", i.encodeFunctionData("reject", [proposal])],
    ["withdraw", i.encodeFunctionData("withdraw", [proposal])],
    ["clear", i.encodeFunctionData("clear", [proposal])],
    ["reclaim", i.encodeFunctionData("reclaim", [proposal])],
    ["settle", i.encodeFunctionData("settle", [order])],
    ["settleBatch", i.encodeFunctionData("settleBatch", [[order]])],
    ["closeRepo", i.encodeFunctionData("closeRepo", [proposal])],
    ["defaultRepo", i.encodeFunctionData("defaultRepo", [proposal])],
    ["propose", i.encodeFunctionData("propose", [order.terms])],
  ];
}

async function expectStopped(engine: SettlementEngine, token: HookToken, name: string): Promise<void> {
  const selector = engine.interface.getError("ReentrancyGuardReentrantCall")!.selector;
  expect(await token.lastHookSucceeded(), `${name}: hook call succeeded`).to.equal(false);
  expect(await token.lastHookReturn(), `${name}: hook call returned`).to.equal(selector);
  expect(await token.hookTarget(), `${name}: the hook fired`).to.equal(hre.ethers.ZeroAddress);
}

describe("SettlementEngine security: re-entrancy and failing receivers", function () {
  describe("[23] a token hook re-entering the engine is stopped", function () {
    it("[23] during accept (payout from escrow): every guarded function fails inside; the trade settles once", async function () {
      const h = await loadFixture(hookPlatform);
      const { se: engine, token, proposal, proposalId, accounts } = h;
      const { enterpriseX, enterpriseY } = accounts;
      const snapshot = await takeSnapshot();
      for (const [name, data] of await reentryCalls(h)) {
        await mined(token.setHook(h.engine, data, false));
        await expect(engine.connect(enterpriseY).accept(proposal), name).to.changeTokenBalances(
          token,
          [enterpriseY, h.engine, enterpriseX],
          [PART, -PART, 0n],
        );
        await expectStopped(engine, token, name);
        expect(await tradeRecord(engine, proposalId), name).to.deep.equal([BigInt(TradeStatus.Settled), 0n]);
        expect(await engine.escrowed(token), name).to.equal(0n);
        expect(await rangeAt(h, PART + 1n), name).to.deep.equal([
          enterpriseX.address,
          2n * PART,
          BigInt(RangeState.Circulating),
        ]);
        await snapshot.restore();
      }
    });

    it("[23] during propose (pull into escrow): re-entering withdraw, clear or accept of the new trade is stopped", async function () {
      const h = await loadFixture(hookPlatform);
      const { se: engine, token, accounts } = h;
      const { enterpriseX, enterpriseY } = accounts;
      const terms = await termsOf(
        TradeKind.Swap,
        enterpriseX,
        enterpriseY,
        tokenLeg(h.tokenAddress, 3n),
        billLeg(h.ledger, h.billId, PART + 1n, PART),
      );
      const snapshot = await takeSnapshot();
      const i = engine.interface;
      const calls: [string, string][] = [
        ["withdraw", i.encodeFunctionData("withdraw", [terms])],
        ["clear", i.encodeFunctionData("clear", [terms])],
        ["accept", i.encodeFunctionData("accept", [terms])],
      ];
      for (const [fn, data] of calls) {
        await mined(token.setHook(h.engine, data, false));
        await expect(engine.connect(enterpriseX).propose(terms), fn).to.changeTokenBalances(
          token,
          [enterpriseX, h.engine],
          [-3n, 3n],
        );
        await expectStopped(engine, token, fn);
        expect(await tradeRecord(engine, await tradeIdOf(engine, terms))).to.deep.equal([
          BigInt(TradeStatus.Proposed),
          0n,
        ]);
        expect(await engine.escrowed(token)).to.equal(PART + 3n);
        await snapshot.restore();
      }
    });

    it("[23] during a refund (withdraw, clear, reclaim): re-entering accept, reclaim or withdraw is stopped", async function () {
      const h = await loadFixture(hookPlatform);
      const { se: engine, token, proposal, proposalId, accounts } = h;
      const { enterpriseX, outsider } = accounts;
      const i = engine.interface;
      const snapshot = await takeSnapshot();
      // withdraw → re-enter accept
      await mined(token.setHook(h.engine, i.encodeFunctionData("accept", [proposal]), false));
      await expect(engine.connect(enterpriseX).withdraw(proposal)).to.changeTokenBalances(
        token,
        [enterpriseX, h.engine],
        [PART, -PART],
      );
      await expectStopped(engine, token, "withdraw → accept");
      expect(await tradeRecord(engine, proposalId)).to.deep.equal([BigInt(TradeStatus.Withdrawn), 0n]);
      await snapshot.restore();
      // clear → re-enter withdraw
      await time.increaseTo(proposal.deadline);
      await mined(token.setHook(h.engine, i.encodeFunctionData("withdraw", [proposal]), false));
      await expect(engine.connect(outsider).clear(proposal)).to.changeTokenBalances(
        token,
        [enterpriseX, h.engine],
        [PART, -PART],
      );
      await expectStopped(engine, token, "clear → withdraw");
      expect(await tradeRecord(engine, proposalId)).to.deep.equal([BigInt(TradeStatus.Cleared), 0n]);
      expect(await engine.escrowed(token)).to.equal(0n);
      await snapshot.restore();
      // a refund owed (maker blocked), then reclaim → re-enter reclaim: paid once
      await mined(token.setBlocked(enterpriseX));
      await expect(engine.connect(enterpriseX).withdraw(proposal)).to.emit(engine, "RefundOwed");
      await mined(token.setBlocked(hre.ethers.ZeroAddress));
      await mined(token.setHook(h.engine, i.encodeFunctionData("reclaim", [proposal]), false));
      await expect(engine.connect(enterpriseX).reclaim(proposal)).to.changeTokenBalances(
        token,
        [enterpriseX, h.engine],
        [PART, -PART],
      );
      await expectStopped(engine, token, "reclaim → reclaim");
      expect(await tradeRecord(engine, proposalId)).to.deep.equal([BigInt(TradeStatus.Withdrawn), 0n]);
      expect(await engine.escrowed(token)).to.equal(0n);
      await expect(engine.connect(enterpriseX).reclaim(proposal))
        .to.be.revertedWithCustomError(engine, "TradeNothingOwed")
        .withArgs(proposalId);
    });

    it("[23] during settle and settleBatch (pull between parties): re-entering settle with the same order is stopped", async function () {
      const h = await loadFixture(hookPlatform);
      const { se: engine, token, accounts } = h;
      const { admin, bankA, bankB } = accounts;
      const terms = await termsOf(TradeKind.Swap, bankA, bankB, tokenLeg(h.tokenAddress, 7n), tokenLeg(h.currency, 5n));
      const order = await signedBy(engine, terms, bankA, bankB);
      const snapshot = await takeSnapshot();
      for (const [name, send] of [
        ["settle", () => engine.connect(admin).settle(order)],
        ["settleBatch", () => engine.connect(admin).settleBatch([order])],
      ] as const) {
        for (const reentry of ["settle", "settleBatch"] as const) {
          const data =
            reentry === "settle"
              ? engine.interface.encodeFunctionData("settle", [order])
              : engine.interface.encodeFunctionData("settleBatch", [[order]]);
          await mined(token.setHook(h.engine, data, false));
          await expect(send(), `${name} → ${reentry}`).to.changeTokenBalances(token, [bankA, bankB], [-7n, 7n]);
          await expectStopped(engine, token, `${name} → ${reentry}`);
          expect(await engine.isNonceUsed(bankA, terms.nonce)).to.equal(true);
          await snapshot.restore();
        }
      }
    });

    it("[23] during a repo's closing payment: re-entering closeRepo or defaultRepo is stopped; the repo closes once", async function () {
      const h = await loadFixture(hookPlatform);
      const { se: engine, token, accounts } = h;
      const { bankA, bankB } = accounts;
      const endDay = businessDayAfter(BigInt(cstDayOf(await time.latest())));
      const repo = await bankARepo(h, TradeKind.OutrightRepo, 1n, endDay, h.tokenAddress);
      // Opening: the lender's payment fires a hook re-entering closeRepo.
      await mined(token.setHook(h.engine, engine.interface.encodeFunctionData("closeRepo", [repo]), false));
      await expect(engine.connect(bankA).settle(await signedBy(engine, repo, bankA, bankB))).to.changeTokenBalances(
        token,
        [bankA, bankB],
        [900_000n, -900_000n],
      );
      await expectStopped(engine, token, "settle repo → closeRepo");
      const id = await tradeIdOf(engine, repo);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.RepoOpen), 0n]);
      const snapshot = await takeSnapshot();
      const calls: [string, string][] = [
        ["closeRepo", engine.interface.encodeFunctionData("closeRepo", [repo])],
        ["defaultRepo", engine.interface.encodeFunctionData("defaultRepo", [repo])],
      ];
      for (const [fn, data] of calls) {
        await mined(token.setHook(h.engine, data, false));
        await expect(engine.connect(bankA).closeRepo(repo), fn).to.changeTokenBalances(
          token,
          [bankA, bankB],
          [-901_000n, 901_000n],
        );
        await expectStopped(engine, token, `closeRepo → ${fn}`);
        expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.RepoClosed), 0n]);
        expect(await rangeAt(h, 1n)).to.deep.equal([bankA.address, PART, BigInt(RangeState.Circulating)]);
        await snapshot.restore();
      }
    });

    it("[23] cancelNonce and raiseNonceFloor are unguarded but reach only the caller's (the token's) own nonces", async function () {
      const h = await loadFixture(hookPlatform);
      const { se: engine, token, proposal, proposalId, accounts } = h;
      await mined(token.setHook(h.engine, engine.interface.encodeFunctionData("raiseNonceFloor", [2n ** 255n]), false));
      await mined(engine.connect(accounts.enterpriseY).accept(proposal));
      expect(await token.lastHookSucceeded()).to.equal(true);
      expect(await engine.nonceFloor(h.tokenAddress)).to.equal(2n ** 255n);
      for (const party of [accounts.enterpriseX, accounts.enterpriseY]) {
        expect(await engine.nonceFloor(party)).to.equal(0n);
      }
      expect(await tradeRecord(engine, proposalId)).to.deep.equal([BigInt(TradeStatus.Settled), 0n]);
    });
  });

  describe("[24] a reverting receiver reverts the settlement atomically", function () {
    it("[24] the taker's payout blocked: accept reverts, nothing changes; after the deadline the maker clears its tokens back", async function () {
      const h = await loadFixture(hookPlatform);
      const { se: engine, token, proposal, proposalId, accounts } = h;
      const { enterpriseX, enterpriseY, outsider } = accounts;
      await mined(token.setBlocked(enterpriseY));
      const balances = async () => [
        await token.balanceOf(enterpriseX),
        await token.balanceOf(enterpriseY),
        await token.balanceOf(h.engine),
        await engine.escrowed(token),
      ];
      const before = await balances();
      await expect(engine.connect(enterpriseY).accept(proposal))
        .to.be.revertedWithCustomError(token, "HookTokenRecipientBlocked")
        .withArgs(enterpriseY.address);
      expect(await balances()).to.deep.equal(before);
      expect(await tradeRecord(engine, proposalId)).to.deep.equal([BigInt(TradeStatus.Proposed), 0n]);
      expect(await rangeAt(h, PART + 1n)).to.deep.equal([
        enterpriseY.address,
        // Enterprise Y holds the rest of the bill: its range at PART + 1 ends at the face.
        FACE,
        BigInt(RangeState.Circulating),
      ]);
      await time.increaseTo(proposal.deadline);
      await expect(engine.connect(outsider).clear(proposal)).to.changeTokenBalances(
        token,
        [enterpriseX, h.engine],
        [PART, -PART],
      );
      expect(await engine.escrowed(token)).to.equal(0n);
    });

    it("[24] the maker's payment blocked: accept of its bill reverts; after the deadline its range is cleared back", async function () {
      const h = await loadFixture(hookPlatform);
      const { se: engine, token, accounts } = h;
      const { enterpriseX, enterpriseY, outsider } = accounts;
      const terms = await termsOf(
        TradeKind.Swap,
        enterpriseY,
        enterpriseX,
        billLeg(h.ledger, h.billId, PART + 1n, PART),
        tokenLeg(h.tokenAddress, PART),
      );
      await mined(engine.connect(enterpriseY).propose(terms));
      await mined(token.setBlocked(enterpriseY));
      await expect(engine.connect(enterpriseX).accept(terms))
        .to.be.revertedWithCustomError(token, "HookTokenRecipientBlocked")
        .withArgs(enterpriseY.address);
      expect(await rangeAt(h, PART + 1n)).to.deep.equal([enterpriseY.address, 2n * PART, BigInt(RangeState.Escrowed)]);
      expect(await token.balanceOf(enterpriseX)).to.equal(MINTED - PART);
      await time.increaseTo(terms.deadline);
      await mined(engine.connect(outsider).clear(terms));
      expect(await rangeAt(h, PART + 1n)).to.deep.equal([
        enterpriseY.address,
        2n * PART,
        BigInt(RangeState.Circulating),
      ]);
    });

    it("[24] a bubbling hook reverts the accept with its error; clear then keeps the refund owed until the token takes it", async function () {
      const h = await loadFixture(hookPlatform);
      const { se: engine, token, proposal, proposalId, accounts } = h;
      const { enterpriseX, enterpriseY, outsider } = accounts;
      await mined(token.setHook(h.engine, engine.interface.encodeFunctionData("withdraw", [proposal]), true));
      await expect(engine.connect(enterpriseY).accept(proposal)).to.be.revertedWithCustomError(
        engine,
        "ReentrancyGuardReentrantCall",
      );
      expect(await tradeRecord(engine, proposalId)).to.deep.equal([BigInt(TradeStatus.Proposed), 0n]);
      expect(await engine.escrowed(token)).to.equal(PART);
      expect(await token.hookTarget()).to.equal(h.engine); // the one-shot hook was rolled back with the accept
      await time.increaseTo(proposal.deadline);
      // The refund fires the armed hook, which bubbles: the token refuses the refund, clear still ends the trade.
      await expect(engine.connect(outsider).clear(proposal))
        .to.emit(engine, "RefundOwed")
        .withArgs(proposalId, enterpriseX.address, h.tokenAddress, PART);
      expect(await tradeRecord(engine, proposalId)).to.deep.equal([BigInt(TradeStatus.Cleared), PART]);
      await mined(token.setHook(hre.ethers.ZeroAddress, "0x", false));
      await expect(engine.connect(enterpriseX).reclaim(proposal)).to.changeTokenBalances(
        token,
        [enterpriseX, h.engine],
        [PART, -PART],
      );
      expect(await tradeRecord(engine, proposalId)).to.deep.equal([BigInt(TradeStatus.Cleared), 0n]);
      expect(await engine.escrowed(token)).to.equal(0n);
    });
  });
});
