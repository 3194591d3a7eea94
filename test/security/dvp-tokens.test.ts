/*
 * SettlementEngine: token oddities and griefing, by line of the shared SECURITY-CHECKLIST.md.
 *
 * Recovery policy (documented in ISettlementEngine and asserted here): ending a proposal (withdraw, reject,
 * clear) never fails on the maker's token leg. A refund the token refuses (the currency paused, the engine's own
 * account frozen, the maker's KYC lapsed, a blocked recipient) is kept in the engine as `refundOwed` with a
 * RefundOwed event, still counted in escrowed(token), and paid by `reclaim` to the maker alone once the token
 * accepts it (pull pattern). A bill leg is released in place even while the ledger is paused or the range frozen
 * (the freeze stays). The engine's own pause stops proposals and settlements only.
 *
 * Covered here:
 * 30. The currency paused: accept and settle revert (CurrencyPaused) and nothing moves; withdraw or clear still
 *     returns a bill leg; a cash escrow becomes refundOwed, reclaim fails while paused and pays once unpaused.
 *     The engine's currency account frozen by the regulator: payouts from escrow revert, refunds become owed and
 *     are reclaimed after unfreezing. The ledger paused, or the escrowed range frozen by the regulator: accept
 *     reverts, withdraw releases the range (a frozen one stays frozen, its prior state Circulating). The engine
 *     paused: propose, accept, settle revert TradeEnginePaused; withdraw, clear and reclaim still work.
 * 31. A frozen party's refund is not trapped: the currency's account freeze stops money leaving the account, not
 *     reaching it, so a refund to a frozen maker lands in its (frozen) account at once (the brief expected a
 *     refundOwed there; the currency does not refuse it). A frozen payer cannot pay (accept reverts). Refunds the
 *     token does refuse are pulled later by the maker (line 30 above, the KYC case in dvp-state.test.ts line 8,
 *     a blocked recipient in dvp-reentrancy.test.ts line 24).
 * 32. Foreign tokens are handled with SafeERC20: a listed NoReturnToken (transfer and transferFrom return nothing)
 *     escrows, pays out and settles signed orders; when it returns false instead of reverting, the act reverts
 *     with SafeERC20FailedOperation(token) and nothing moves. A fee-taking token (FeeToken, 1 % burnt) cannot be
 *     escrowed: TradeTokenShortfall(token, expected, received), nor paid directly from payer to payee (the taker's
 *     leg, a signed order): the engine checks what the payee received for every foreign token; the digital
 *     currency, which takes no fee, is trusted.
 * 33. Trades are listed through events, not storage (TradeProposed, TradeSettled, TradeEnded, indexed by id, maker
 *     and taker; asserted with filters): there is no on-chain list to page. Bill ranges are paged by the ledger
 *     (bill-access.test.ts, line 33). Batches are capped: 0 and MAX_BATCH + 1 orders or proposals are refused
 *     (TradeInvalidBatch(MAX_BATCH)); a full batch of MAX_BATCH signed discounts stays far under the block gas
 *     limit (measured below, asserted < 15 M gas).
 * 34. The engine pulls exactly the agreed amount, once: the payer's allowance decreases by exactly the price
 *     (two-phase, signed, escrow at proposal), the maker's escrow is not pulled again at accept, and a netted batch
 *     makes one transfer of the net amount.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { discountTerms, termsOf, tradingPlatform, type DvpFixture, signedBy, tradeRecord } from "../fixtures/dvp";
import { PART, billProposal, cashProposal } from "../fixtures/dvpScenes";
import { TradeKind, TradeStatus, billLeg, tokenLeg, type SignedOrder, type Terms } from "../../tasks/lib/dvp";
import { RangeState, mined } from "../../tasks/lib/bills";

const MINTED = 100n * PART;
const BATCH_GAS_CAP = 15_000_000n;

/** Deploys the test token `name`, lists it, mints to enterprises X and Y and has both approve the engine. */
async function withToken(f: DvpFixture, name: "NoReturnToken" | "FeeToken"): Promise<string> {
  const address = await (await hre.ethers.deployContract(name)).getAddress();
  // mint and approve have the same ABI in both mocks.
  const token = await hre.ethers.getContractAt("NoReturnToken", address);
  await mined(f.suite.settlementEngine.connect(f.accounts.admin).setListed(address, true));
  for (const holder of [f.accounts.enterpriseX, f.accounts.enterpriseY]) {
    await mined(token.mint(holder, MINTED));
    await mined(token.connect(holder).approve(f.engine, hre.ethers.MaxUint256));
  }
  return address;
}

/** Swap: enterprise X pays `amount` of `token` for enterprise Y's range [start, start + PART). */
async function payForRange(
  f: DvpFixture,
  token: string,
  amount: bigint,
  start: bigint,
  xMakes: boolean,
): Promise<Terms> {
  const { enterpriseX, enterpriseY } = f.accounts;
  const bill = billLeg(f.ledger, f.billId, start, PART);
  const cash = tokenLeg(token, amount);
  return xMakes
    ? termsOf(TradeKind.Swap, enterpriseX, enterpriseY, cash, bill)
    : termsOf(TradeKind.Swap, enterpriseY, enterpriseX, bill, cash);
}

async function rangeOf(f: DvpFixture, start: bigint) {
  const r = await f.suite.billLedger.rangeAt(f.billId, start);
  return { holder: r.holder, state: r.state, priorState: r.priorState };
}

describe("SettlementEngine security: token oddities and griefing", function () {
  describe("[30] a paused or frozen token on one leg", function () {
    it("[30] currency paused: accept and settle revert CurrencyPaused, nothing moves; withdraw returns the bill leg", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      const cash = p.suite.digitalCurrency;
      await mined(cash.connect(accounts.pauser).pause());
      const balance = await cash.balanceOf(accounts.bankA);
      await expect(engine.connect(accounts.bankA).accept(terms)).to.be.revertedWithCustomError(cash, "CurrencyPaused");
      const order = await signedBy(
        engine,
        await discountTerms(p, accounts.enterpriseY, accounts.bankA, PART, { start: PART + 1n }),
        accounts.enterpriseY,
        accounts.bankA,
      );
      await expect(engine.connect(accounts.admin).settle(order)).to.be.revertedWithCustomError(cash, "CurrencyPaused");
      expect(await cash.balanceOf(accounts.bankA)).to.equal(balance);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Proposed), 0n]);
      expect(await engine.isNonceUsed(accounts.enterpriseY, order.terms.nonce)).to.equal(false);
      await mined(engine.connect(accounts.enterpriseY).withdraw(terms));
      expect(await rangeOf(p, 1n)).to.include({
        holder: accounts.enterpriseY.address,
        state: BigInt(RangeState.Circulating),
      });
    });

    it("[30] [31] currency paused with a cash escrow: clear records RefundOwed; reclaim fails while paused, pays after", async function () {
      const p = await loadFixture(cashProposal);
      const { se: engine, terms, accounts, id, amount } = p;
      const cash = p.suite.digitalCurrency;
      await mined(cash.connect(accounts.pauser).pause());
      await time.increaseTo(terms.deadline);
      await expect(engine.connect(accounts.outsider).clear(terms))
        .to.emit(engine, "RefundOwed")
        .withArgs(id, accounts.bankA.address, p.currency, amount);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Cleared), amount]);
      expect(await engine.escrowed(p.currency)).to.equal(amount);
      await expect(engine.connect(accounts.bankA).reclaim(terms)).to.be.revertedWithCustomError(cash, "CurrencyPaused");
      await mined(cash.connect(accounts.pauser).unpause());
      await expect(engine.connect(accounts.enterpriseY).reclaim(terms))
        .to.be.revertedWithCustomError(engine, "TradeNotEntitled")
        .withArgs(id, accounts.enterpriseY.address);
      const reclaimed = engine.connect(accounts.bankA).reclaim(terms);
      await expect(reclaimed).to.changeTokenBalances(cash, [accounts.bankA, p.engine], [amount, -amount]);
      await expect(reclaimed)
        .to.emit(engine, "RefundReclaimed")
        .withArgs(id, accounts.bankA.address, p.currency, amount);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Cleared), 0n]);
      expect(await engine.escrowed(p.currency)).to.equal(0n);
    });

    it("[30] [31] the maker's currency account frozen: its escrow pays out to nobody, withdraw refunds it into the frozen account", async function () {
      const p = await loadFixture(cashProposal);
      const { se: engine, terms, accounts, id, amount } = p;
      const cash = p.suite.digitalCurrency;
      // The engine's own account holds every maker's escrow and cannot be frozen; an order acts on the maker.
      await expect(cash.connect(accounts.regulator).freezeAccount(p.engine))
        .to.be.revertedWithCustomError(cash, "CurrencySystemAccount")
        .withArgs(p.engine);
      await mined(cash.connect(accounts.regulator).freezeAccount(accounts.bankA));
      await expect(engine.connect(accounts.enterpriseY).accept(terms))
        .to.be.revertedWithCustomError(cash, "CurrencyAccountFrozen")
        .withArgs(accounts.bankA.address);
      const withdrawn = engine.connect(accounts.bankA).withdraw(terms);
      await expect(withdrawn).to.changeTokenBalances(cash, [accounts.bankA, p.engine], [amount, -amount]);
      await expect(withdrawn).to.emit(engine, "TradeEnded").withArgs(id, TradeStatus.Withdrawn, accounts.bankA.address);
      await expect(engine.connect(accounts.bankA).reclaim(terms))
        .to.be.revertedWithCustomError(engine, "TradeNothingOwed")
        .withArgs(id);
      expect(await cash.isAccountFrozen(accounts.bankA)).to.equal(true);
    });

    it("[30] the ledger paused: accept reverts BillPaused; withdraw still releases the range", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts } = p;
      const ledger = p.suite.billLedger;
      await mined(ledger.connect(accounts.pauser).pause());
      await expect(engine.connect(accounts.bankA).accept(terms)).to.be.revertedWithCustomError(ledger, "BillPaused");
      await mined(engine.connect(accounts.enterpriseY).withdraw(terms));
      expect(await rangeOf(p, 1n)).to.include({
        holder: accounts.enterpriseY.address,
        state: BigInt(RangeState.Circulating),
      });
    });

    it("[30] the escrowed range frozen by the regulator: accept reverts; withdraw releases it, the freeze stays", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts } = p;
      const ledger = p.suite.billLedger;
      await mined(ledger.connect(accounts.regulator).freeze(p.billId, 1n, PART));
      const cashBefore = await p.suite.digitalCurrency.balanceOf(accounts.bankA);
      await expect(engine.connect(accounts.bankA).accept(terms))
        .to.be.revertedWithCustomError(ledger, "BillWrongState")
        .withArgs(p.billId, 1n, RangeState.Frozen, RangeState.Escrowed);
      expect(await p.suite.digitalCurrency.balanceOf(accounts.bankA)).to.equal(cashBefore);
      await mined(engine.connect(accounts.enterpriseY).withdraw(terms));
      expect(await rangeOf(p, 1n)).to.deep.equal({
        holder: accounts.enterpriseY.address,
        state: BigInt(RangeState.Frozen),
        priorState: BigInt(RangeState.Circulating),
      });
      await mined(ledger.connect(accounts.regulator).unfreeze(p.billId, 1n));
      expect(await rangeOf(p, 1n)).to.include({ state: BigInt(RangeState.Circulating) });
    });

    it("[30] the engine paused: proposals and settlements stop; withdraw, clear and reclaim still work", async function () {
      const p = await loadFixture(cashProposal);
      const { se: engine, terms, accounts } = p;
      const { admin, bankA, enterpriseY, pauser } = accounts;
      const other = await discountTerms(p, enterpriseY, bankA, PART, { start: PART + 1n });
      await mined(engine.connect(pauser).pause());
      await expect(engine.connect(enterpriseY).propose(other)).to.be.revertedWithCustomError(
        engine,
        "TradeEnginePaused",
      );
      await expect(engine.connect(enterpriseY).accept(terms)).to.be.revertedWithCustomError(
        engine,
        "TradeEnginePaused",
      );
      await expect(engine.connect(enterpriseY).acceptBatch([terms])).to.be.revertedWithCustomError(
        engine,
        "TradeEnginePaused",
      );
      const order = await signedBy(engine, other, enterpriseY, bankA);
      await expect(engine.connect(admin).settle(order)).to.be.revertedWithCustomError(engine, "TradeEnginePaused");
      await expect(engine.connect(admin).settleBatch([order])).to.be.revertedWithCustomError(
        engine,
        "TradeEnginePaused",
      );
      await expect(engine.connect(bankA).withdraw(terms)).to.changeTokenBalances(
        p.suite.digitalCurrency,
        [bankA, p.engine],
        [p.amount, -p.amount],
      );
      await expect(engine.connect(pauser).pause()).to.be.revertedWithCustomError(engine, "TradeEnginePaused");
    });
  });

  describe("[31] refunds to a frozen party are not trapped", function () {
    it("[31] a refund to a maker whose currency account is frozen lands in its (frozen) account at once", async function () {
      const p = await loadFixture(cashProposal);
      const { se: engine, terms, accounts, id, amount } = p;
      const cash = p.suite.digitalCurrency;
      await mined(cash.connect(accounts.regulator).freezeAccount(accounts.bankA));
      await expect(engine.connect(accounts.bankA).withdraw(terms)).to.changeTokenBalances(
        cash,
        [accounts.bankA, p.engine],
        [amount, -amount],
      );
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Withdrawn), 0n]);
      expect(await cash.isAccountFrozen(accounts.bankA)).to.equal(true);
      expect(await engine.escrowed(p.currency)).to.equal(0n);
    });

    it("[31] a frozen payer cannot pay: accept reverts CurrencyAccountFrozen and nothing moves", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      const cash = p.suite.digitalCurrency;
      await mined(cash.connect(accounts.regulator).freezeAccount(accounts.bankA));
      await expect(engine.connect(accounts.bankA).accept(terms))
        .to.be.revertedWithCustomError(cash, "CurrencyAccountFrozen")
        .withArgs(accounts.bankA.address);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Proposed), 0n]);
      expect(await rangeOf(p, 1n)).to.include({
        holder: accounts.enterpriseY.address,
        state: BigInt(RangeState.Escrowed),
      });
    });
  });

  describe("[32] tokens that return nothing or false, and fee-taking tokens", function () {
    it("[32] a listed NoReturnToken escrows, pays out and settles signed orders", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const address = await withToken(f, "NoReturnToken");
      const token = await hre.ethers.getContractAt("NoReturnToken", address);
      const { admin, enterpriseX, enterpriseY } = f.accounts;
      const proposal = await payForRange(f, address, 3n * PART, 1n, true);
      await mined(engine.connect(enterpriseX).propose(proposal));
      expect(await token.balanceOf(f.engine)).to.equal(3n * PART);
      expect(await engine.escrowed(address)).to.equal(3n * PART);
      await mined(engine.connect(enterpriseY).accept(proposal));
      expect(await token.balanceOf(enterpriseY)).to.equal(MINTED + 3n * PART);
      expect(await engine.escrowed(address)).to.equal(0n);
      const signed = await payForRange(f, address, 2n * PART, PART + 1n, false);
      await mined(engine.connect(admin).settle(await signedBy(engine, signed, enterpriseY, enterpriseX)));
      expect(await token.balanceOf(enterpriseX)).to.equal(MINTED - 5n * PART);
      expect(await token.balanceOf(enterpriseY)).to.equal(MINTED + 5n * PART);
      expect((await f.suite.billLedger.rangeAt(f.billId, PART + 1n)).holder).to.equal(enterpriseX.address);
    });

    it("[32] a NoReturnToken that returns false makes propose, accept and settle revert SafeERC20FailedOperation", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const address = await withToken(f, "NoReturnToken");
      const token = await hre.ethers.getContractAt("NoReturnToken", address);
      const { admin, enterpriseX, enterpriseY } = f.accounts;
      await mined(token.setReturnFalse(true));
      // More than X holds: the token returns false instead of reverting.
      const tooMuch = await payForRange(f, address, MINTED + 1n, 1n, true);
      await expect(engine.connect(enterpriseX).propose(tooMuch))
        .to.be.revertedWithCustomError(engine, "SafeERC20FailedOperation")
        .withArgs(address);
      const proposal = await payForRange(f, address, MINTED + 1n, 1n, false);
      await mined(engine.connect(enterpriseY).propose(proposal));
      await expect(engine.connect(enterpriseX).accept(proposal))
        .to.be.revertedWithCustomError(engine, "SafeERC20FailedOperation")
        .withArgs(address);
      const order = await signedBy(
        engine,
        await payForRange(f, address, MINTED + 1n, PART + 1n, false),
        enterpriseY,
        enterpriseX,
      );
      await expect(engine.connect(admin).settle(order))
        .to.be.revertedWithCustomError(engine, "SafeERC20FailedOperation")
        .withArgs(address);
      expect(await token.balanceOf(enterpriseX)).to.equal(MINTED);
      expect(await token.balanceOf(f.engine)).to.equal(0n);
      expect(await rangeOf(f, 1n)).to.include({ holder: enterpriseY.address, state: BigInt(RangeState.Escrowed) });
    });

    it("[32] a fee-taking token cannot be escrowed: TradeTokenShortfall(token, expected, received)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const address = await withToken(f, "FeeToken");
      const token = await hre.ethers.getContractAt("FeeToken", address);
      const proposal = await payForRange(f, address, PART, 1n, true);
      await expect(engine.connect(f.accounts.enterpriseX).propose(proposal))
        .to.be.revertedWithCustomError(engine, "TradeTokenShortfall")
        .withArgs(address, PART, PART - PART / 100n);
      expect(await token.balanceOf(f.accounts.enterpriseX)).to.equal(MINTED);
      expect(await engine.escrowed(address)).to.equal(0n);
    });

    it("[32] a fee-taking token paid payer-to-payee is refused too: TradeTokenShortfall, nothing moves", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const address = await withToken(f, "FeeToken");
      const token = await hre.ethers.getContractAt("FeeToken", address);
      const { enterpriseX, enterpriseY } = f.accounts;
      const proposal = await payForRange(f, address, PART, 1n, false);
      await mined(engine.connect(enterpriseY).propose(proposal));
      await expect(engine.connect(enterpriseX).accept(proposal))
        .to.be.revertedWithCustomError(engine, "TradeTokenShortfall")
        .withArgs(address, PART, PART - PART / 100n);
      expect(await token.balanceOf(enterpriseX)).to.equal(MINTED);
    });
  });

  describe("[33] listing and batch size", function () {
    it("[33] trades are listed by events, filterable by id, maker and taker", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      await mined(engine.connect(accounts.bankA).accept(terms));
      const byMaker = await engine.queryFilter(engine.filters.TradeProposed(undefined, accounts.enterpriseY.address));
      expect(byMaker.map((e) => e.args.tradeId)).to.deep.equal([id]);
      const settled = await engine.queryFilter(
        engine.filters.TradeSettled(undefined, undefined, accounts.bankA.address),
      );
      expect(settled.map((e) => e.args.tradeId)).to.deep.equal([id]);
      expect(settled[0].args.terms.takerLeg.amount).to.equal(terms.takerLeg.amount);
    });

    it("[33] settleBatch and acceptBatch refuse 0 and MAX_BATCH + 1 entries (TradeInvalidBatch(MAX_BATCH))", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts } = p;
      const max = await engine.MAX_BATCH();
      expect(max).to.equal(50n);
      const order = await signedBy(engine, terms, accounts.enterpriseY, accounts.bankA);
      const tooMany = Array.from({ length: Number(max) + 1 }, () => order);
      for (const orders of [[], tooMany]) {
        await expect(engine.connect(accounts.admin).settleBatch(orders))
          .to.be.revertedWithCustomError(engine, "TradeInvalidBatch")
          .withArgs(max);
      }
      for (const proposals of [[], Array.from({ length: Number(max) + 1 }, () => terms)]) {
        await expect(engine.connect(accounts.bankA).acceptBatch(proposals))
          .to.be.revertedWithCustomError(engine, "TradeInvalidBatch")
          .withArgs(max);
      }
    });

    it("[33] a full batch of MAX_BATCH signed discounts settles far under the block gas limit", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const units = 10_000n;
      const orders: SignedOrder[] = [];
      for (let i = 0n; i < 50n; i++) {
        const terms = await discountTerms(f, enterpriseY, bankA, units, { start: 1n + i * units });
        orders.push(await signedBy(engine, terms, enterpriseY, bankA));
      }
      const total = orders.reduce((sum, o) => sum + o.terms.takerLeg.amount, 0n);
      const tx = engine.connect(admin).settleBatch(orders);
      await expect(tx).to.changeTokenBalances(f.suite.digitalCurrency, [bankA, enterpriseY], [-total, total]);
      const receipt = await (await tx).wait();
      expect(receipt!.gasUsed).to.be.lessThan(BATCH_GAS_CAP);
      const transfers = receipt!.logs.filter((log) => log.address === f.currency);
      expect(transfers.length, "one netted transfer").to.equal(1);
    });
  });

  describe("[34] the engine pulls exactly the agreed amount, once", function () {
    it("[34] accept: the payer's allowance falls by exactly the price; a second accept pulls nothing", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts } = p;
      const cash = p.suite.digitalCurrency;
      const price = terms.takerLeg.amount;
      await mined(cash.connect(accounts.bankA).approve(p.engine, 3n * price));
      await expect(engine.connect(accounts.bankA).accept(terms)).to.changeTokenBalances(
        cash,
        [accounts.bankA, accounts.enterpriseY, p.engine],
        [-price, price, 0n],
      );
      expect(await cash.allowance(accounts.bankA, p.engine)).to.equal(2n * price);
      await expect(engine.connect(accounts.bankA).accept(terms)).to.be.revertedWithCustomError(
        engine,
        "TradeWrongStatus",
      );
      expect(await cash.allowance(accounts.bankA, p.engine)).to.equal(2n * price);
    });

    it("[34] propose escrows exactly the amount once; accept pays it out without pulling the maker again", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const cash = f.suite.digitalCurrency;
      const { bankA, enterpriseY } = f.accounts;
      const terms = await discountTerms(f, enterpriseY, bankA, PART, { sellerMakes: false });
      const amount = terms.makerLeg.amount;
      await mined(cash.connect(bankA).approve(f.engine, 2n * amount));
      await expect(engine.connect(bankA).propose(terms)).to.changeTokenBalances(
        cash,
        [bankA, f.engine],
        [-amount, amount],
      );
      expect(await cash.allowance(bankA, f.engine)).to.equal(amount);
      await expect(engine.connect(enterpriseY).accept(terms)).to.changeTokenBalances(
        cash,
        [bankA, enterpriseY, f.engine],
        [0n, amount, -amount],
      );
      expect(await cash.allowance(bankA, f.engine)).to.equal(amount);
    });

    it("[34] a signed order pulls exactly the price; a netted batch of opposite legs makes one transfer of the net (and one of zero by the other payer, for its own checks)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const cash = f.suite.digitalCurrency;
      const { admin, bankA, bankB } = f.accounts;
      await mined(cash.connect(bankA).approve(f.engine, 1_000n));
      await mined(cash.connect(bankB).approve(f.engine, 1_000n));
      const swap = (maker: HardhatEthersSigner, taker: HardhatEthersSigner, amount: bigint) =>
        termsOf(TradeKind.Swap, maker, taker, tokenLeg(f.currency, amount), tokenLeg(f.currency, 1n));
      const one = await signedBy(engine, await swap(bankA, bankB, 300n), bankA, bankB);
      await expect(engine.connect(admin).settle(one)).to.changeTokenBalances(cash, [bankA, bankB], [-299n, 299n]);
      expect(await cash.allowance(bankA, f.engine)).to.equal(700n);
      expect(await cash.allowance(bankB, f.engine)).to.equal(999n);
      // A pays B 200 (and B pays A 1); B pays A 150 (and A pays B 1): net A → B 50, one transfer of it; B, a payer
      // too, makes a transfer of zero so that its freeze, KYC and the pause are checked.
      const ab = await signedBy(engine, await swap(bankA, bankB, 200n), bankA, bankB);
      const ba = await signedBy(engine, await swap(bankB, bankA, 150n), bankB, bankA);
      const tx = engine.connect(admin).settleBatch([ab, ba]);
      await expect(tx).to.changeTokenBalances(cash, [bankA, bankB], [-50n, 50n]);
      const receipt = await (await tx).wait();
      const transfers = receipt!.logs
        .filter((log) => log.address === f.currency)
        .map((log) => cash.interface.parseLog(log)!.args);
      expect(transfers.map((a) => [a.from, a.to, a.value])).to.deep.equal([
        [bankA.address, bankB.address, 50n],
        [bankB.address, bankA.address, 0n],
      ]);
      expect(await cash.allowance(bankA, f.engine)).to.equal(650n);
      expect(await cash.allowance(bankB, f.engine)).to.equal(999n);
    });
  });
});
