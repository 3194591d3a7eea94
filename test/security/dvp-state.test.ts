/*
 * SettlementEngine: KYC of the parties, state machine and atomicity, by line of the shared SECURITY-CHECKLIST.md.
 *
 * Covered here:
 *  7. An unverified, suspended or expired party can neither propose, nor be proposed to, nor accept, nor settle a
 *     signed order: TradeUnverifiedParty(party). The check is made again when the answer arrives (KYC lost after
 *     the proposal), and passes again once the party is reinstated.
 *  8. KYC lost after escrow: acceptance fails (TradeUnverifiedParty(maker)), and the maker still gets its own leg
 *     back by withdraw or (anyone's) clear: a bill range at once (a release needs no KYC), a non-KYC token at once
 *     even for a revoked maker. The currency itself refuses money to an unverified wallet (checklist 6), so a
 *     currency refund to a maker whose KYC lapsed becomes `refundOwed` (RefundOwed event) and the maker reclaims
 *     it once verified again. A revoked wallet can never be verified again (the registry keeps it linked), so its
 *     currency refund stays owed in the engine, exactly as its own currency balance stays unmovable.
 * 12. One leg missing (taker's allowance or balance short, maker's range not where the terms say): the whole
 *     accept or settle reverts and no balance, escrow, range or nonce changes.
 * 13. Double acts: accept twice, withdraw / reject / clear after accept, accept after withdraw / reject / clear,
 *     withdraw twice, clear twice, reclaim after settle, reclaim twice, settle a signed order twice, propose the
 *     same terms twice, settle signed terms that were proposed, close a repo twice, default a closed repo, close a
 *     defaulted one. (Pay a bill twice and recourse twice are BillPayments', in BillPayments.test.ts.)
 * 14. accept and withdraw sent in the same block: exactly one succeeds, whichever comes first; accept and clear
 *     in the same block at deadline − 1 s (accept wins) and at the deadline (clear wins), in either order.
 * 15. What moves is what the terms say: accept with any term altered (bill, start, amount, price) finds no
 *     proposal; a discount priced one unit off either way reverts TradePriceMismatch(expected, given); an unknown
 *     bill, a start inside a range, more units than the holding and a range held by someone else revert in the
 *     ledger; a signature over other terms does not verify.
 * 16. Tokens sent straight to the engine: escrowed() does not count them, no proposal or settlement draws on them
 *     (a maker without allowance cannot escrow even while the engine holds enough), no reclaim, withdraw or clear
 *     of invented terms releases them; settlements leave them where they are.
 * 17. The trade id is the EIP-712 digest of every field: changing any one of the 17 fields (9 scalars, 4 per leg) gives another id; the
 *     engine's id matches an independent TypeScript digest; the same terms cannot be proposed twice; the engine
 *     stores no terms (only status and refund), so terms cannot change after creation.
 * 18. Zero maker, zero taker, self-trade, a proposer other than the maker, empty or half-empty legs, zero amounts,
 *     zero-start or zero-bill bill legs, token legs with bill fields, kind None, pricing fields on unpriced kinds,
 *     wrong leg shapes per kind, listing the zero address or the ledger, and zero constructor addresses.
 * 19. The taker commits to the terms it read (the id is their digest): a maker that withdraws and re-proposes at
 *     another price in front of the accept makes it revert (TradeWrongStatus) and no money moves; a token
 *     delisted in front of the accept makes it revert (TradeTokenNotListed) and the maker still withdraws its leg.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  FACE,
  RATE,
  discountTerms,
  termsOf,
  tradingPlatform,
  type DvpFixture,
  signedBy,
  businessDayAfter,
  tradeRecord,
} from "../fixtures/dvp";
import {
  PART,
  bankARepo,
  billProposal,
  cashProposal,
  expectWrongStatus,
  rangeAt,
  partForCash,
} from "../fixtures/dvpScenes";
import { CODES } from "../fixtures/platform";
import {
  EMPTY_LEG,
  TradeKind,
  TradeStatus,
  billLeg,
  signTerms,
  tokenLeg,
  tradeIdOf,
  type Leg,
  type SignedOrder,
  type Terms,
} from "../../tasks/lib/dvp";
import { RangeState, mined, rangesOfBill } from "../../tasks/lib/bills";
import { entityIdOf, reinstateEntity, renewEntity, suspendEntity } from "../../tasks/lib/identity";

const GAS = { gasLimit: 3_000_000n };

/** Balances of the named wallets and the engine, the engine's escrow and the bill's ranges, as one text. */
async function stateOf(f: DvpFixture): Promise<string> {
  const cash = f.suite.digitalCurrency;
  const a = f.accounts;
  const wallets = [a.bankA, a.bankB, a.enterpriseX, a.enterpriseY, a.enterpriseZ, a.financeCo, a.centralBank];
  const balances = [];
  for (const w of [...wallets.map((x) => x.address), f.engine]) balances.push(await cash.balanceOf(w));
  const state = {
    balances,
    escrowed: await f.suite.settlementEngine.escrowed(f.currency),
    ranges: await rangesOfBill(f.suite.billLedger, f.billId),
  };
  return JSON.stringify(state, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Sends the transactions into one block (mined at `timestamp` if given); returns each receipt's status. */
async function inOneBlock(
  sends: (() => Promise<ContractTransactionResponse>)[],
  timestamp?: bigint,
): Promise<number[]> {
  const provider = hre.ethers.provider;
  await provider.send("evm_setAutomine", [false]);
  const hashes: string[] = [];
  try {
    for (const send of sends) hashes.push((await send()).hash);
    if (timestamp !== undefined) await time.setNextBlockTimestamp(timestamp);
    await provider.send("evm_mine", []);
  } finally {
    await provider.send("evm_setAutomine", [true]);
  }
  const receipts = await Promise.all(hashes.map((h) => provider.getTransactionReceipt(h)));
  expect(new Set(receipts.map((r) => r!.blockNumber)).size, "one block").to.equal(1);
  return receipts.map((r) => r!.status!);
}

/**
 * A hook token (no KYC, no fee) listed, minted to enterprise X and approved for the engine, and X's open swap
 * proposal of PART of it for enterprise Y's range [1, PART].
 */
async function hookSwapProposal() {
  const f = await loadFixture(tradingPlatform);
  const { admin, enterpriseX, enterpriseY } = f.accounts;
  const token = await hre.ethers.deployContract("HookToken");
  await mined(f.suite.settlementEngine.connect(admin).setListed(token, true));
  await mined(token.mint(enterpriseX, 10n * PART));
  await mined(token.connect(enterpriseX).approve(f.engine, hre.ethers.MaxUint256));
  const tokenAddress = await token.getAddress();
  const bill = billLeg(f.ledger, f.billId, 1n, PART);
  const terms = await termsOf(TradeKind.Swap, enterpriseX, enterpriseY, tokenLeg(tokenAddress, PART), bill);
  await mined(f.suite.settlementEngine.connect(enterpriseX).propose(terms));
  return { ...f, se: f.suite.settlementEngine, token, tokenAddress, terms };
}

describe("SettlementEngine security: KYC, state machine and atomicity", function () {
  describe("[7] unverified counterparties", function () {
    it("[7] an unverified maker cannot propose and nobody can propose to an unverified taker", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { outsider, enterpriseY, bankA } = f.accounts;
      const toOutsider = await discountTerms(f, enterpriseY, outsider, PART);
      await expect(engine.connect(enterpriseY).propose(toOutsider))
        .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
        .withArgs(outsider.address);
      const byOutsider = await termsOf(
        TradeKind.Swap,
        outsider,
        bankA,
        tokenLeg(f.currency, 1n),
        tokenLeg(f.currency, 1n),
      );
      await expect(engine.connect(outsider).propose(byOutsider))
        .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
        .withArgs(outsider.address);
      const signed = await signedBy(engine, toOutsider, enterpriseY, outsider);
      await expect(engine.connect(f.accounts.admin).settle(signed))
        .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
        .withArgs(outsider.address);
      expect(await engine.isNonceUsed(enterpriseY, toOutsider.nonce)).to.equal(false);
    });

    for (const lapse of ["suspended", "expired"] as const) {
      it(`[7] a taker ${lapse} after the proposal cannot accept, and can once verified again`, async function () {
        const p = await loadFixture(billProposal);
        const { se: engine, terms, accounts } = p;
        const registry = p.suite.identityRegistry.connect(accounts.bankB); // bank B verified bank A
        if (lapse === "suspended") {
          await suspendEntity(registry, CODES.bankA);
        } else {
          await renewEntity(registry, CODES.bankA, BigInt(await time.latest()) + 60n);
          await time.increase(61);
        }
        const before = await stateOf(p);
        await expect(engine.connect(accounts.bankA).accept(terms))
          .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
          .withArgs(accounts.bankA.address);
        expect(await stateOf(p)).to.equal(before);
        if (lapse === "suspended") await reinstateEntity(registry, CODES.bankA);
        else await renewEntity(registry, CODES.bankA, BigInt(await time.latest()) + 86_400n);
        await expect(engine.connect(accounts.bankA).accept(terms)).to.emit(engine, "TradeSettled");
      });
    }

    it("[7] a signed order whose taker is suspended does not settle, by the agent or by the maker", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, bankB, enterpriseY } = f.accounts;
      const terms = await discountTerms(f, enterpriseY, bankA, PART);
      const order = await signedBy(engine, terms, enterpriseY, bankA);
      await suspendEntity(f.suite.identityRegistry.connect(bankB), CODES.bankA);
      for (const submitter of [admin, enterpriseY]) {
        await expect(engine.connect(submitter).settle(order))
          .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
          .withArgs(bankA.address);
      }
    });
  });

  describe("[8] KYC revoked after escrow", function () {
    it("[8] bill maker revoked: accept fails, the maker withdraws and its range is back in circulation", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      await mined(p.suite.identityRegistry.connect(accounts.admin).revokeEntity(entityIdOf(CODES.enterpriseY)));
      await expect(engine.connect(accounts.bankA).accept(terms))
        .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
        .withArgs(accounts.enterpriseY.address);
      expect(await rangeAt(p, 1n)).to.deep.equal([accounts.enterpriseY.address, PART, BigInt(RangeState.Escrowed)]);
      await expect(engine.connect(accounts.enterpriseY).withdraw(terms))
        .to.emit(engine, "TradeEnded")
        .withArgs(id, TradeStatus.Withdrawn, accounts.enterpriseY.address);
      expect(await rangeAt(p, 1n)).to.deep.equal([accounts.enterpriseY.address, PART, BigInt(RangeState.Circulating)]);
    });

    it("[8] bill maker revoked: anyone clears from the deadline and the range goes back to the maker", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts } = p;
      await mined(p.suite.identityRegistry.connect(accounts.admin).revokeEntity(entityIdOf(CODES.enterpriseY)));
      await time.increaseTo(terms.deadline);
      await expect(engine.connect(accounts.outsider).clear(terms)).to.emit(engine, "TradeEnded");
      expect(await rangeAt(p, 1n)).to.deep.equal([accounts.enterpriseY.address, PART, BigInt(RangeState.Circulating)]);
    });

    it("[8] token maker revoked: accept fails and withdraw returns its (non-KYC) tokens at once", async function () {
      const h = await loadFixture(hookSwapProposal);
      const { se: engine, token, accounts, terms } = h;
      const { enterpriseX, enterpriseY, admin } = accounts;
      await mined(h.suite.identityRegistry.connect(admin).revokeEntity(entityIdOf(CODES.enterpriseX)));
      await expect(engine.connect(enterpriseY).accept(terms))
        .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
        .withArgs(enterpriseX.address);
      await expect(engine.connect(enterpriseX).withdraw(terms)).to.changeTokenBalances(
        token,
        [enterpriseX, h.engine],
        [PART, -PART],
      );
      expect(await engine.escrowed(token)).to.equal(0n);
      expect(await tradeRecord(engine, await tradeIdOf(engine, terms))).to.deep.equal([
        BigInt(TradeStatus.Withdrawn),
        0n,
      ]);
    });

    it("[8] currency maker suspended: withdraw records RefundOwed; reclaim fails while unverified, works once reinstated", async function () {
      const p = await loadFixture(cashProposal);
      const { se: engine, terms, accounts, id } = p;
      const { bankA, bankB, enterpriseY } = accounts;
      const amount = terms.makerLeg.amount;
      const cash = p.suite.digitalCurrency;
      const registry = p.suite.identityRegistry.connect(bankB);
      await suspendEntity(registry, CODES.bankA);
      await expect(engine.connect(enterpriseY).accept(terms))
        .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
        .withArgs(bankA.address);
      await expect(engine.connect(bankA).withdraw(terms))
        .to.emit(engine, "RefundOwed")
        .withArgs(id, bankA.address, p.currency, amount);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Withdrawn), amount]);
      expect(await engine.escrowed(p.currency)).to.equal(amount);
      await expect(engine.connect(bankA).reclaim(terms))
        .to.be.revertedWithCustomError(cash, "CurrencyUnverifiedAccount")
        .withArgs(bankA.address);
      await reinstateEntity(registry, CODES.bankA);
      await expect(engine.connect(bankA).reclaim(terms)).to.changeTokenBalances(
        cash,
        [bankA, p.engine],
        [amount, -amount],
      );
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Withdrawn), 0n]);
      expect(await engine.escrowed(p.currency)).to.equal(0n);
    });

    it("[8] currency maker revoked: the refund stays owed to it in the engine, never credited to anyone else", async function () {
      const p = await loadFixture(cashProposal);
      const { se: engine, terms, accounts, id } = p;
      const amount = terms.makerLeg.amount;
      await mined(p.suite.identityRegistry.connect(accounts.admin).revokeEntity(entityIdOf(CODES.bankA)));
      await time.increaseTo(terms.deadline);
      await expect(engine.connect(accounts.outsider).clear(terms))
        .to.emit(engine, "RefundOwed")
        .withArgs(id, accounts.bankA.address, p.currency, amount);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Cleared), amount]);
      for (const other of [accounts.enterpriseY, accounts.admin, accounts.outsider]) {
        await expect(engine.connect(other).reclaim(terms))
          .to.be.revertedWithCustomError(engine, "TradeNotEntitled")
          .withArgs(id, other.address);
      }
      expect(await engine.escrowed(p.currency)).to.equal(amount);
    });
  });

  describe("[12] one leg missing", function () {
    it("[12] taker without allowance: accept reverts and no balance, range or status changes", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      await mined(p.suite.digitalCurrency.connect(accounts.bankA).approve(p.engine, 0n));
      const before = await stateOf(p);
      await expect(engine.connect(accounts.bankA).accept(terms))
        .to.be.revertedWithCustomError(p.suite.digitalCurrency, "ERC20InsufficientAllowance")
        .withArgs(p.engine, 0n, terms.takerLeg.amount);
      expect(await stateOf(p)).to.equal(before);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Proposed), 0n]);
    });

    it("[12] taker without balance: accept reverts and nothing changes", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { enterpriseY, enterpriseZ } = f.accounts;
      await mined(f.suite.digitalCurrency.connect(enterpriseZ).approve(f.engine, hre.ethers.MaxUint256));
      const terms = await partForCash(f, TradeKind.Swap, enterpriseY, enterpriseZ, 1n, PART);
      await mined(engine.connect(enterpriseY).propose(terms));
      const before = await stateOf(f);
      await expect(engine.connect(enterpriseZ).accept(terms))
        .to.be.revertedWithCustomError(f.suite.digitalCurrency, "ERC20InsufficientBalance")
        .withArgs(enterpriseZ.address, 0n, PART);
      expect(await stateOf(f)).to.equal(before);
    });

    it("[12] signed order with the payer's allowance short or the seller's range elsewhere: nothing moves, no nonce spent", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const terms = await discountTerms(f, enterpriseY, bankA, PART);
      const order = await signedBy(engine, terms, enterpriseY, bankA);
      await mined(f.suite.digitalCurrency.connect(bankA).approve(f.engine, terms.takerLeg.amount - 1n));
      const before = await stateOf(f);
      await expect(engine.connect(admin).settle(order)).to.be.revertedWithCustomError(
        f.suite.digitalCurrency,
        "ERC20InsufficientAllowance",
      );
      expect(await stateOf(f)).to.equal(before);
      expect(await engine.isNonceUsed(enterpriseY, terms.nonce)).to.equal(false);
      expect(await engine.isNonceUsed(bankA, terms.nonce)).to.equal(false);
      // The seller's range is locked in another proposal: the bill leg is missing.
      await mined(f.suite.digitalCurrency.connect(bankA).approve(f.engine, hre.ethers.MaxUint256));
      const other = await discountTerms(f, enterpriseY, f.accounts.bankB, PART);
      await mined(engine.connect(enterpriseY).propose(other));
      const locked = await stateOf(f);
      await expect(engine.connect(admin).settle(order))
        .to.be.revertedWithCustomError(f.suite.billLedger, "BillWrongState")
        .withArgs(f.billId, 1n, RangeState.Escrowed, RangeState.Circulating);
      expect(await stateOf(f)).to.equal(locked);
      expect(await engine.isNonceUsed(enterpriseY, terms.nonce)).to.equal(false);
    });
  });

  describe("[13] double acts", function () {
    it("[13] accept twice, and withdraw / reject / clear after accept, revert TradeWrongStatus(Settled)", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      await mined(engine.connect(accounts.bankA).accept(terms));
      const after = await stateOf(p);
      await expectWrongStatus(engine, engine.connect(accounts.bankA).accept(terms), id, TradeStatus.Settled);
      await expectWrongStatus(engine, engine.connect(accounts.bankA).acceptBatch([terms]), id, TradeStatus.Settled);
      await expectWrongStatus(engine, engine.connect(accounts.enterpriseY).withdraw(terms), id, TradeStatus.Settled);
      await expectWrongStatus(engine, engine.connect(accounts.bankA).reject(terms), id, TradeStatus.Settled);
      await time.increaseTo(terms.deadline);
      await expectWrongStatus(engine, engine.connect(accounts.outsider).clear(terms), id, TradeStatus.Settled);
      await expect(engine.connect(accounts.enterpriseY).reclaim(terms))
        .to.be.revertedWithCustomError(engine, "TradeNothingOwed")
        .withArgs(id);
      expect(await stateOf(p)).to.equal(after);
    });

    for (const [end, status] of [
      ["withdraw", TradeStatus.Withdrawn],
      ["reject", TradeStatus.Rejected],
      ["clear", TradeStatus.Cleared],
    ] as const) {
      it(`[13] after ${end}: accept, withdraw, reject and clear revert TradeWrongStatus(${TradeStatus[status]})`, async function () {
        const p = await loadFixture(billProposal);
        const { se: engine, terms, accounts, id } = p;
        const { bankA, enterpriseY, outsider } = accounts;
        if (end === "withdraw") await mined(engine.connect(enterpriseY).withdraw(terms));
        if (end === "reject") await mined(engine.connect(bankA).reject(terms));
        if (end === "clear") {
          await time.increaseTo(terms.deadline);
          await mined(engine.connect(outsider).clear(terms));
        }
        const after = await stateOf(p);
        const acts: [string, () => Promise<ContractTransactionResponse>][] = [
          ["accept", () => engine.connect(bankA).accept(terms)],
          ["withdraw", () => engine.connect(enterpriseY).withdraw(terms)],
          ["reject", () => engine.connect(bankA).reject(terms)],
          ["clear", () => engine.connect(outsider).clear(terms)],
        ];
        for (const [name, act] of acts) {
          await expectWrongStatus(engine, act(), id, status, TradeStatus.Proposed, name);
        }
        // The same terms cannot be proposed again: the maker's nonce is spent (after a clear they have expired too).
        expect(await engine.isNonceUsed(enterpriseY, terms.nonce)).to.equal(true);
        await expect(engine.connect(enterpriseY).propose(terms)).to.be.revertedWithCustomError(
          engine,
          end === "clear" ? "TradeExpired" : "TradeNonceUsed",
        );
        expect(await stateOf(p)).to.equal(after);
      });
    }

    it("[13] reclaim twice: the second finds nothing owed", async function () {
      const p = await loadFixture(cashProposal);
      const { se: engine, terms, accounts, id } = p;
      const cash = p.suite.digitalCurrency;
      await mined(cash.connect(accounts.pauser).pause());
      await expect(engine.connect(accounts.bankA).withdraw(terms)).to.emit(engine, "RefundOwed");
      await mined(cash.connect(accounts.pauser).unpause());
      const amount = terms.makerLeg.amount;
      await expect(engine.connect(accounts.bankA).reclaim(terms)).to.changeTokenBalances(
        cash,
        [accounts.bankA, p.engine],
        [amount, -amount],
      );
      await expect(engine.connect(accounts.bankA).reclaim(terms))
        .to.be.revertedWithCustomError(engine, "TradeNothingOwed")
        .withArgs(id);
    });

    it("[13] a signed order settles once: again, or after its terms were proposed, reverts TradeNonceUsed", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const terms = await discountTerms(f, enterpriseY, bankA, PART);
      const order = await signedBy(engine, terms, enterpriseY, bankA);
      await mined(engine.connect(admin).settle(order));
      const after = await stateOf(f);
      for (const submitter of [admin, enterpriseY, bankA]) {
        await expect(engine.connect(submitter).settle(order))
          .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
          .withArgs(enterpriseY.address, terms.nonce);
      }
      await expect(engine.connect(admin).settleBatch([order]))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(enterpriseY.address, terms.nonce);
      expect(await stateOf(f)).to.equal(after);
      // Proposed terms cannot also be settled as a signed order.
      const proposed = await discountTerms(f, enterpriseY, bankA, PART, { start: PART + 1n });
      await mined(engine.connect(enterpriseY).propose(proposed));
      await expect(engine.connect(admin).settle(await signedBy(engine, proposed, enterpriseY, bankA)))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(enterpriseY.address, proposed.nonce);
    });

    it("[13] a repo closes once: close twice, default after close, close after default revert", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, bankB, enterpriseY } = f.accounts;
      const bought = await discountTerms(f, enterpriseY, bankA, 2n * PART);
      await mined(engine.connect(admin).settle(await signedBy(engine, bought, enterpriseY, bankA)));
      const endDay = businessDayAfter(BigInt(bought.valueDay));
      const closed = await bankARepo(f, TradeKind.OutrightRepo, 1n, endDay);
      const defaulted = await bankARepo(f, TradeKind.OutrightRepo, PART + 1n, endDay);
      for (const repo of [closed, defaulted]) {
        await mined(engine.connect(bankA).settle(await signedBy(engine, repo, bankA, bankB)));
      }
      const closedId = await tradeIdOf(engine, closed);
      const defaultedId = await tradeIdOf(engine, defaulted);
      const notOpen = (tx: Promise<unknown>, id: string, status: TradeStatus) =>
        expectWrongStatus(engine, tx, id, status, TradeStatus.RepoOpen);
      await mined(engine.connect(bankA).closeRepo(closed));
      await notOpen(engine.connect(bankA).closeRepo(closed), closedId, TradeStatus.RepoClosed);
      await time.increaseTo(BigInt(Number(endDay + 1n) * 86_400 - 8 * 3600));
      await notOpen(engine.connect(bankB).defaultRepo(closed), closedId, TradeStatus.RepoClosed);
      await mined(engine.connect(bankB).defaultRepo(defaulted));
      await notOpen(engine.connect(bankB).defaultRepo(defaulted), defaultedId, TradeStatus.RepoDefaulted);
      await notOpen(engine.connect(bankA).closeRepo(defaulted), defaultedId, TradeStatus.RepoDefaulted);
      expect(await rangeAt(f, 1n)).to.deep.equal([bankA.address, PART, BigInt(RangeState.Circulating)]);
      expect(await rangeAt(f, PART + 1n)).to.deep.equal([bankB.address, 2n * PART, BigInt(RangeState.Circulating)]);
    });
  });

  describe("[14] two answers in one block", function () {
    for (const first of ["accept", "withdraw"] as const) {
      it(`[14] accept and withdraw in one block, ${first} first: exactly the first succeeds`, async function () {
        const p = await loadFixture(billProposal);
        const { se: engine, terms, accounts, id } = p;
        const accept = () => engine.connect(accounts.bankA).accept(terms, GAS);
        const withdraw = () => engine.connect(accounts.enterpriseY).withdraw(terms, GAS);
        const statuses = await inOneBlock(first === "accept" ? [accept, withdraw] : [withdraw, accept]);
        expect(statuses).to.deep.equal([1, 0]);
        const [status] = await tradeRecord(engine, id);
        expect(status).to.equal(first === "accept" ? TradeStatus.Settled : TradeStatus.Withdrawn);
        const holder = first === "accept" ? accounts.bankA.address : accounts.enterpriseY.address;
        expect(await rangeAt(p, 1n)).to.deep.equal([holder, PART, BigInt(RangeState.Circulating)]);
      });
    }

    for (const [offset, winner] of [
      [-1n, "accept"],
      [0n, "clear"],
    ] as const) {
      for (const order of ["accept first", "clear first"] as const) {
        it(`[14] accept and clear in one block at deadline ${offset === 0n ? "" : "− 1 s "}(${order}): only ${winner} succeeds`, async function () {
          const p = await loadFixture(billProposal);
          const { se: engine, terms, accounts, id } = p;
          const accept = () => engine.connect(accounts.bankA).accept(terms, GAS);
          const clear = () => engine.connect(accounts.outsider).clear(terms, GAS);
          const sends = order === "accept first" ? [accept, clear] : [clear, accept];
          const statuses = await inOneBlock(sends, terms.deadline + offset);
          const acceptFirst = order === "accept first";
          const acceptOk = winner === "accept" ? 1 : 0;
          expect(statuses).to.deep.equal(acceptFirst ? [acceptOk, 1 - acceptOk] : [1 - acceptOk, acceptOk]);
          const [status] = await tradeRecord(engine, id);
          expect(status).to.equal(winner === "accept" ? TradeStatus.Settled : TradeStatus.Cleared);
        });
      }
    }
  });

  describe("[15] delivery equals the agreed terms", function () {
    it("[15] accept with the bill, start, amount or price altered finds no proposal; nothing moves", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts } = p;
      const before = await stateOf(p);
      const altered: [string, Terms][] = [
        ["bill", { ...terms, makerLeg: { ...terms.makerLeg, billId: terms.makerLeg.billId + 1n } }],
        ["start", { ...terms, makerLeg: { ...terms.makerLeg, start: 2n } }],
        ["units", { ...terms, makerLeg: { ...terms.makerLeg, amount: PART - 1n } }],
        ["price", { ...terms, takerLeg: { ...terms.takerLeg, amount: terms.takerLeg.amount - 1n } }],
        ["rate", { ...terms, rate: terms.rate + 1n }],
      ];
      for (const [name, other] of altered) {
        await expectWrongStatus(
          engine,
          engine.connect(accounts.bankA).accept(other),
          await tradeIdOf(engine, other),
          TradeStatus.None,
          TradeStatus.Proposed,
          name,
        );
      }
      expect(await stateOf(p)).to.equal(before);
    });

    it("[15] a discount priced one unit off either way reverts TradePriceMismatch(expected, given)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { enterpriseY, bankA, admin } = f.accounts;
      const terms = await discountTerms(f, enterpriseY, bankA, PART);
      const price = terms.takerLeg.amount;
      for (const given of [price - 1n, price + 1n]) {
        const wrong = { ...terms, takerLeg: { ...terms.takerLeg, amount: given } };
        await expect(engine.connect(enterpriseY).propose(wrong))
          .to.be.revertedWithCustomError(engine, "TradePriceMismatch")
          .withArgs(price, given);
        await expect(engine.connect(admin).settle(await signedBy(engine, wrong, enterpriseY, bankA)))
          .to.be.revertedWithCustomError(engine, "TradePriceMismatch")
          .withArgs(price, given);
      }
      const [proceeds] = await engine.discountProceeds(f.billId, PART, RATE, terms.valueDay);
      expect(proceeds).to.equal(price);
    });

    it("[15] an unknown bill, a start inside a range, too many units or another's range revert in the ledger", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const ledger = f.suite.billLedger;
      const { enterpriseX, enterpriseY, enterpriseZ, admin } = f.accounts;
      const swap = (maker: HardhatEthersSigner, leg: Leg) =>
        termsOf(TradeKind.Swap, maker, enterpriseZ, leg, tokenLeg(f.currency, PART));
      const before = await stateOf(f);
      await expect(engine.connect(enterpriseY).propose(await swap(enterpriseY, billLeg(f.ledger, 99n, 1n, PART))))
        .to.be.revertedWithCustomError(ledger, "BillUnknownRange")
        .withArgs(99n, 1n);
      await expect(engine.connect(enterpriseY).propose(await swap(enterpriseY, billLeg(f.ledger, f.billId, 2n, PART))))
        .to.be.revertedWithCustomError(ledger, "BillUnknownRange")
        .withArgs(f.billId, 2n);
      await expect(
        engine.connect(enterpriseY).propose(await swap(enterpriseY, billLeg(f.ledger, f.billId, 1n, FACE + 1n))),
      ).to.be.revertedWithCustomError(ledger, "BillInvalidAmount");
      const notHeld = await swap(enterpriseX, billLeg(f.ledger, f.billId, 1n, PART));
      await expect(engine.connect(enterpriseX).propose(notHeld))
        .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
        .withArgs(f.billId, 1n, enterpriseX.address);
      await expect(engine.connect(admin).settle(await signedBy(engine, notHeld, enterpriseX, enterpriseZ)))
        .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
        .withArgs(f.billId, 1n, enterpriseX.address);
      expect(await stateOf(f)).to.equal(before);
    });

    it("[15] a signature over other terms (price, units) does not verify", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { enterpriseY, bankA } = f.accounts;
      const terms = await discountTerms(f, enterpriseY, bankA, PART);
      const bigger = await discountTerms(f, enterpriseY, bankA, 2n * PART);
      const order: SignedOrder = {
        terms: { ...bigger, nonce: terms.nonce, deadline: terms.deadline },
        makerSignature: "0x",
        takerSignature: await signTerms(engine, bankA, terms),
      };
      await expect(engine.connect(enterpriseY).settle(order))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(bankA.address);
    });
  });

  describe("[16] tokens sent straight to the engine", function () {
    it("[16] are not escrowed, not used by proposals or settlements, and cannot be reclaimed", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const cash = f.suite.digitalCurrency;
      const { bankA, bankB, enterpriseX, enterpriseY, outsider } = f.accounts;
      const STRAY = 5n * PART;
      await mined(cash.connect(bankB).transfer(f.engine, STRAY));
      expect(await cash.balanceOf(f.engine)).to.equal(STRAY);
      expect(await engine.escrowed(f.currency)).to.equal(0n);
      // A maker without allowance cannot escrow although the engine holds more than its leg.
      await mined(cash.connect(enterpriseX).approve(f.engine, 0n));
      const noAllowance = await termsOf(
        TradeKind.Swap,
        enterpriseX,
        enterpriseY,
        tokenLeg(f.currency, PART),
        billLeg(f.ledger, f.billId, 1n, PART),
      );
      await expect(engine.connect(enterpriseX).propose(noAllowance)).to.be.revertedWithCustomError(
        cash,
        "ERC20InsufficientAllowance",
      );
      // Invented terms whose maker leg matches the stray amount release nothing.
      const invented = await termsOf(
        TradeKind.Swap,
        bankB,
        bankA,
        tokenLeg(f.currency, STRAY),
        tokenLeg(f.currency, 1n),
      );
      const inventedId = await tradeIdOf(engine, invented);
      await expect(engine.connect(bankB).reclaim(invented))
        .to.be.revertedWithCustomError(engine, "TradeNothingOwed")
        .withArgs(inventedId);
      await expectWrongStatus(engine, engine.connect(bankB).withdraw(invented), inventedId, TradeStatus.None);
      await time.increaseTo(invented.deadline);
      await expectWrongStatus(engine, engine.connect(outsider).clear(invented), inventedId, TradeStatus.None);
      // A real proposal and its settlement move only the parties' money; the stray stays untouched.
      const terms = await discountTerms(f, enterpriseY, bankA, PART, { sellerMakes: false });
      await expect(engine.connect(bankA).propose(terms)).to.changeTokenBalances(
        cash,
        [bankA, f.engine],
        [-terms.makerLeg.amount, terms.makerLeg.amount],
      );
      expect(await engine.escrowed(f.currency)).to.equal(terms.makerLeg.amount);
      await expect(engine.connect(enterpriseY).accept(terms)).to.changeTokenBalances(
        cash,
        [enterpriseY, f.engine],
        [terms.makerLeg.amount, -terms.makerLeg.amount],
      );
      expect(await cash.balanceOf(f.engine)).to.equal(STRAY);
      expect(await engine.escrowed(f.currency)).to.equal(0n);
    });
  });

  describe("[17] trade ids bind the full terms", function () {
    it("[17] the id is the EIP-712 digest of every field: each change of one field gives another id", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, id } = p;
      expect(await engine.tradeId(terms)).to.equal(id);
      const proposed = await engine.queryFilter(engine.filters.TradeProposed(id));
      expect(proposed.length).to.equal(1);
      const one = (leg: Leg, field: keyof Leg): Leg =>
        field === "asset"
          ? { ...leg, asset: p.accounts.outsider.address }
          : { ...leg, [field]: (leg[field] as bigint) + 1n };
      const variants: Terms[] = [
        { ...terms, kind: TradeKind.Rediscount },
        { ...terms, maker: p.accounts.enterpriseX.address },
        { ...terms, taker: p.accounts.bankB.address },
        ...(["asset", "billId", "start", "amount"] as const).map((k) => ({
          ...terms,
          makerLeg: one(terms.makerLeg, k),
        })),
        ...(["asset", "billId", "start", "amount"] as const).map((k) => ({
          ...terms,
          takerLeg: one(terms.takerLeg, k),
        })),
        { ...terms, rate: terms.rate + 1n },
        { ...terms, valueDay: terms.valueDay + 1n },
        { ...terms, endDay: terms.endDay + 1n },
        { ...terms, closingAmount: terms.closingAmount + 1n },
        { ...terms, deadline: terms.deadline + 1n },
        { ...terms, nonce: terms.nonce + 1n },
      ];
      expect(variants.length).to.equal(17); // 9 scalar fields + 2 legs × 4 fields
      const ids = new Set<string>([id]);
      for (const v of variants) {
        const vid = await engine.tradeId(v);
        expect(vid).to.equal(await tradeIdOf(engine, v));
        ids.add(vid);
        const [status] = await tradeRecord(engine, v);
        expect(status).to.equal(TradeStatus.None);
      }
      expect(ids.size).to.equal(variants.length + 1);
    });

    it("[17] the same terms cannot be proposed twice; the first proposal stays as it was", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      await expect(engine.connect(accounts.enterpriseY).propose(terms))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(accounts.enterpriseY.address, terms.nonce);
      // Same economics with another nonce is another trade with another id (and here the range is already escrowed).
      const again = { ...terms, nonce: terms.nonce + 1n };
      await expect(engine.connect(accounts.enterpriseY).propose(again))
        .to.be.revertedWithCustomError(p.suite.billLedger, "BillWrongState")
        .withArgs(p.billId, 1n, RangeState.Escrowed, RangeState.Circulating);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Proposed), 0n]);
      await expect(engine.connect(accounts.bankA).accept(terms)).to.changeTokenBalances(
        p.suite.digitalCurrency,
        [accounts.bankA, accounts.enterpriseY],
        [-terms.takerLeg.amount, terms.takerLeg.amount],
      );
    });
  });

  describe("[18] zero addresses, empty legs, self-trades", function () {
    it("[18] parties: zero maker, zero taker, self-trade and a proposer other than the maker are refused", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const base = await discountTerms(f, enterpriseY, bankA, PART);
      const zero = hre.ethers.ZeroAddress;
      await expect(
        engine.connect(admin).settle({ terms: { ...base, maker: zero }, makerSignature: "0x", takerSignature: "0x" }),
      )
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(zero);
      await expect(engine.connect(enterpriseY).propose({ ...base, taker: zero }))
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(zero);
      await expect(engine.connect(enterpriseY).propose({ ...base, taker: enterpriseY.address }))
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(enterpriseY.address);
      await expect(
        engine
          .connect(enterpriseY)
          .settle({ terms: { ...base, taker: enterpriseY.address }, makerSignature: "0x", takerSignature: "0x" }),
      )
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(enterpriseY.address);
      await expect(engine.connect(bankA).propose(base))
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(bankA.address);
    });

    it("[18] legs: empty, zero amounts, zero bill or start, bill fields on a token leg, wrong shapes per kind", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { bankA, bankB, enterpriseY } = f.accounts;
      const bill = billLeg(f.ledger, f.billId, 1n, PART);
      const cash = tokenLeg(f.currency, PART);
      const cases: [string, TradeKind, Leg, Leg, number][] = [
        ["empty maker leg", TradeKind.Swap, EMPTY_LEG, cash, 0],
        ["empty taker leg of a swap", TradeKind.Swap, bill, EMPTY_LEG, 1],
        ["zero token amount", TradeKind.Swap, bill, tokenLeg(f.currency, 0n), 1],
        ["zero bill units", TradeKind.Swap, { ...bill, amount: 0n }, cash, 0],
        ["zero start", TradeKind.Swap, { ...bill, start: 0n }, cash, 0],
        ["zero bill id", TradeKind.Swap, { ...bill, billId: 0n }, cash, 0],
        ["units beyond uint48", TradeKind.Swap, { ...bill, amount: 2n ** 48n }, cash, 0],
        ["token leg with a bill id", TradeKind.Swap, bill, { ...cash, billId: 1n }, 1],
        ["token leg with a start", TradeKind.Swap, bill, { ...cash, start: 1n }, 1],
        ["empty leg with an amount", TradeKind.FreeOfPayment, bill, { ...EMPTY_LEG, amount: 1n }, 1],
        ["free of payment against cash", TradeKind.FreeOfPayment, bill, cash, 1],
        ["free of payment of cash", TradeKind.FreeOfPayment, cash, EMPTY_LEG, 0],
        ["sale of bill for bill", TradeKind.OutrightSale, bill, { ...bill, start: PART + 1n }, 1],
        ["sale of cash for cash", TradeKind.OutrightSale, cash, cash, 0],
        ["sale against nothing", TradeKind.OutrightSale, bill, EMPTY_LEG, 1],
      ];
      for (const [name, kind, makerLeg, takerLeg, index] of cases) {
        const institutions = kind === TradeKind.FreeOfPayment || kind === TradeKind.OutrightSale;
        const [maker, taker] = institutions ? [bankA, bankB] : [enterpriseY, f.accounts.enterpriseX];
        const terms = await termsOf(kind, maker, taker, makerLeg, takerLeg);
        await expect(engine.connect(maker).propose(terms), name)
          .to.be.revertedWithCustomError(engine, "TradeInvalidLeg")
          .withArgs(index);
      }
    });

    it("[18] kind None and pricing fields on unpriced kinds are refused (TradeInvalidTerms)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { bankA, enterpriseY } = f.accounts;
      const bill = billLeg(f.ledger, f.billId, 1n, PART);
      const cash = tokenLeg(f.currency, PART);
      const extras: Partial<Terms>[] = [{ rate: 1n }, { endDay: 1n }, { closingAmount: 1n }];
      await expect(
        engine.connect(enterpriseY).propose(await termsOf(TradeKind.None, enterpriseY, bankA, bill, cash)),
      ).to.be.revertedWithCustomError(engine, "TradeInvalidTerms");
      for (const extra of extras) {
        const terms = await termsOf(TradeKind.Swap, enterpriseY, f.accounts.enterpriseX, bill, cash, extra);
        await expect(engine.connect(enterpriseY).propose(terms)).to.be.revertedWithCustomError(
          engine,
          "TradeInvalidTerms",
        );
      }
      // A discount needs a rate: zero would be a sale at face dressed as a discount.
      const noRate = await discountTerms(f, enterpriseY, bankA, PART);
      await expect(
        engine.connect(enterpriseY).propose({ ...noRate, rate: 0n, takerLeg: { ...noRate.takerLeg, amount: PART } }),
      ).to.be.revertedWithCustomError(engine, "TradeInvalidTerms");
    });

    it("[18] setListed refuses the zero address and the ledger; the constructor refuses zero addresses", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const zero = hre.ethers.ZeroAddress;
      for (const token of [zero, f.ledger, f.currency]) {
        await expect(engine.connect(f.accounts.admin).setListed(token, true))
          .to.be.revertedWithCustomError(engine, "TradeInvalidLeg")
          .withArgs(0);
      }
      const registry = await f.suite.identityRegistry.getAddress();
      const calendar = await f.suite.businessCalendar.getAddress();
      const factory = await hre.ethers.getContractFactory("SettlementEngine", {
        libraries: { TradeExits: await hre.ethers.deployContract("TradeExits") },
      });
      for (const args of [
        [zero, registry, calendar, f.currency],
        [f.ledger, zero, calendar, f.currency],
        [f.ledger, registry, zero, f.currency],
        [f.ledger, registry, calendar, zero],
      ]) {
        await expect(factory.deploy(args[0], args[1], args[2], args[3], 0n, f.accounts.admin))
          .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
          .withArgs(zero);
      }
    });
  });

  describe("[19] front-running the accept", function () {
    it("[19] the maker re-proposes at another price in front of the accept: the accept of the seen terms reverts", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      const { bankA, enterpriseY } = accounts;
      // Y withdraws and proposes the same range at a lower rate (a higher price) before bank A's accept lands.
      const cashBefore = await p.suite.digitalCurrency.balanceOf(bankA);
      const repriced = await discountTerms(p, enterpriseY, bankA, PART, { rate: RATE / 2n });
      expect(repriced.takerLeg.amount).to.be.greaterThan(terms.takerLeg.amount);
      const statuses = await inOneBlock([
        () => engine.connect(enterpriseY).withdraw(terms, GAS),
        () => engine.connect(enterpriseY).propose(repriced, GAS),
        () => engine.connect(bankA).accept(terms, GAS),
      ]);
      expect(statuses).to.deep.equal([1, 1, 0]);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Withdrawn), 0n]);
      await expectWrongStatus(engine, engine.connect(bankA).accept(terms), id, TradeStatus.Withdrawn);
      expect(await rangeAt(p, 1n)).to.deep.equal([enterpriseY.address, PART, BigInt(RangeState.Escrowed)]);
      expect(await p.suite.digitalCurrency.balanceOf(bankA)).to.equal(cashBefore);
    });

    it("[19] a token delisted in front of the accept makes it revert; the maker still withdraws its leg", async function () {
      const h = await loadFixture(hookSwapProposal);
      const { se: engine, token, accounts, terms } = h;
      const { admin, enterpriseX, enterpriseY } = accounts;
      await mined(engine.connect(admin).setListed(token, false));
      await expect(engine.connect(enterpriseY).accept(terms))
        .to.be.revertedWithCustomError(engine, "TradeTokenNotListed")
        .withArgs(h.tokenAddress);
      await expect(engine.connect(enterpriseX).withdraw(terms)).to.changeTokenBalances(
        token,
        [enterpriseX, h.engine],
        [PART, -PART],
      );
      expect(await rangeAt(h, 1n)).to.deep.equal([enterpriseY.address, FACE, BigInt(RangeState.Circulating)]);
    });
  });
});
