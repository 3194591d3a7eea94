/*
 * SettlementEngine: signed orders (EIP-712) and permits, by line of the shared SECURITY-CHECKLIST.md.
 *
 * An order is the terms plus the parties' EIP-712 signatures over their digest (the trade id) under the domain
 * ("bill-dvp SettlementEngine", "1", chainId, engine address). The maker's nonce is spent by every trade; the
 * taker's (the same value, in its own bitmap) whenever its signature is used. Signatures are checked with
 * OpenZeppelin's SignatureChecker / ECDSA: 65 bytes, low s, v in {27, 28}.
 *
 * Covered here:
 * 25. A settled order cannot be replayed, by any submitter, alone or in a batch; nor can terms that were proposed
 *     be settled as an order; a signature is bound to its terms, so no other trade can reuse it.
 * 26. An order signed under a domain with chainId + 1, or for another deployment of the engine (a second
 *     SettlementEngine deployed beside the first, same ledger, registry and calendar, the token listed on both),
 *     does not verify (TradeInvalidSignature); the two engines give the same terms different ids.
 * 27. Expired orders (TradeExpired at and after the deadline), a signature by another wallet, a missing signature,
 *     a malleated high-s signature (s' = n − s, v flipped: ecrecover gives the same signer, checked through the
 *     precompile, yet the engine refuses it) and the 64-byte compact (EIP-2098) encoding are refused
 *     (TradeInvalidSignature(signer)); the genuine signature still settles afterwards.
 * 28. Design: the engine never calls `permit`. Settlement pulls money with the standing allowance the payer gave
 *     the engine (approve or its own permit, beforehand), so a front-runner who submits the payer's permit first
 *     only sets the allowance the payer signed: the payer's own later permit call reverts, but the settlement
 *     succeeds; a permit replayed after use reverts. The engine's ABI has no permit entry.
 * 29. raiseNonceFloor(f) voids every outstanding order of the signer below f, as maker or as taker (its signature
 *     used), and cannot go down; cancelNonce voids one; orders at or above the floor still settle. Proposals
 *     already made are trades, not orders: the floor leaves them open to accept; they end by withdraw (asserted).
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "ethers";
import { discountTerms, tradingPlatform, type DvpFixture, signedBy, tradeRecord } from "../fixtures/dvp";
import { PART } from "../fixtures/dvpScenes";
import { TERMS_TYPES, TradeStatus, engineDomain, signTerms, tradeIdOf, type SignedOrder } from "../../tasks/lib/dvp";
import { mined } from "../../tasks/lib/bills";
import { signPermit } from "../behaviors/kycGated";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A discount of `units` from `start`, enterprise Y to bank A, signed by both; `nonce` if given. */
async function discountOrder(f: DvpFixture, start: bigint, nonce?: bigint): Promise<SignedOrder> {
  const engine = f.suite.settlementEngine;
  const { enterpriseY, bankA } = f.accounts;
  const terms = await discountTerms(f, enterpriseY, bankA, PART, { start });
  if (nonce !== undefined) terms.nonce = nonce;
  return signedBy(engine, terms, enterpriseY, bankA);
}

/** The same signature with s' = n − s and v flipped: another valid ecrecover signature of the same signer. */
function malleate(signature: string): string {
  const bytes = ethers.getBytes(signature);
  const r = ethers.hexlify(bytes.slice(0, 32));
  const s = BigInt(ethers.hexlify(bytes.slice(32, 64)));
  const v = bytes[64];
  return ethers.concat([r, ethers.toBeHex(SECP256K1_N - s, 32), ethers.toBeHex(v === 27 ? 28 : 27, 1)]);
}

/** What the ecrecover precompile gives for `digest` and a 65-byte signature. */
async function ecrecover(digest: string, signature: string): Promise<string> {
  const bytes = ethers.getBytes(signature);
  const data = ethers.AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "uint8", "bytes32", "bytes32"],
    [digest, bytes[64], bytes.slice(0, 32), bytes.slice(32, 64)],
  );
  const out = await hre.ethers.provider.call({ to: "0x0000000000000000000000000000000000000001", data });
  return ethers.getAddress(ethers.dataSlice(out, 12));
}

describe("SettlementEngine security: signed orders and permits", function () {
  describe("[25] replay", function () {
    it("[25] a settled order cannot be replayed by any submitter, alone or in a batch", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const order = await discountOrder(f, 1n);
      await mined(engine.connect(admin).settle(order));
      expect(await engine.isNonceUsed(enterpriseY, order.terms.nonce)).to.equal(true);
      expect(await engine.isNonceUsed(bankA, order.terms.nonce)).to.equal(true);
      const balance = await f.suite.digitalCurrency.balanceOf(bankA);
      for (const submitter of [admin, bankA, enterpriseY]) {
        await expect(engine.connect(submitter).settle(order))
          .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
          .withArgs(enterpriseY.address, order.terms.nonce);
      }
      const fresh = await discountOrder(f, PART + 1n);
      await expect(engine.connect(admin).settleBatch([fresh, order]))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(enterpriseY.address, order.terms.nonce);
      // The same order twice in one batch: the second is a replay of the first.
      await expect(engine.connect(admin).settleBatch([fresh, fresh]))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(enterpriseY.address, fresh.terms.nonce);
      expect(await f.suite.digitalCurrency.balanceOf(bankA)).to.equal(balance);
    });

    it("[25] a signature cannot be carried to other terms (another range, the same nonce)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const order = await discountOrder(f, 1n);
      await mined(engine.connect(admin).settle(order));
      const other = await discountTerms(f, enterpriseY, bankA, PART, { start: PART + 1n });
      await expect(
        engine.connect(admin).settle({
          terms: other,
          makerSignature: order.makerSignature,
          takerSignature: order.takerSignature,
        }),
      )
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(enterpriseY.address);
    });
  });

  describe("[26] domain separation", function () {
    it("[26] an order signed for chainId + 1 does not verify", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const terms = await discountTerms(f, enterpriseY, bankA, PART);
      const domain = await engineDomain(engine);
      const otherChain = { ...domain, chainId: BigInt(domain.chainId!) + 1n };
      const order: SignedOrder = {
        terms,
        makerSignature: await enterpriseY.signTypedData(otherChain, TERMS_TYPES, terms),
        takerSignature: await bankA.signTypedData(otherChain, TERMS_TYPES, terms),
      };
      await expect(engine.connect(admin).settle(order))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(enterpriseY.address);
      await expect(engine.connect(enterpriseY).settle(order))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(bankA.address);
      await expect(engine.connect(admin).settle(await signedBy(engine, terms, enterpriseY, bankA))).to.emit(
        engine,
        "TradeSettled",
      );
    });

    it("[26] an order signed for another deployment of the engine does not verify, and vice versa", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const second = await hre.ethers.deployContract(
        "SettlementEngine",
        [
          f.ledger,
          await f.suite.identityRegistry.getAddress(),
          await f.suite.businessCalendar.getAddress(),
          f.currency,
          0n,
          admin.address,
        ],
        { libraries: { TradeExits: await hre.ethers.deployContract("TradeExits") } },
      );
      await mined(second.connect(admin).grantRole(await second.AGENT_ROLE(), admin));
      // A ledger operator, like the real engine: it reads the bill to price the trade before it checks signatures.
      await mined(f.suite.billLedger.connect(admin).grantRole(await f.suite.billLedger.OPERATOR_ROLE(), second));
      const terms = await discountTerms(f, enterpriseY, bankA, PART);
      expect(await second.tradeId(terms)).to.not.equal(await engine.tradeId(terms));
      const forSecond = await signedBy(second, terms, enterpriseY, bankA);
      await expect(engine.connect(admin).settle(forSecond))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(enterpriseY.address);
      const forFirst = await signedBy(engine, terms, enterpriseY, bankA);
      await expect(second.connect(admin).settle(forFirst))
        .to.be.revertedWithCustomError(second, "TradeInvalidSignature")
        .withArgs(enterpriseY.address);
      await expect(engine.connect(admin).settle(forFirst)).to.emit(engine, "TradeSettled");
    });
  });

  describe("[27] expired, wrong-signer and malleable signatures", function () {
    it("[27] an order at and after its deadline is refused (TradeExpired)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const order = await discountOrder(f, 1n);
      await time.increaseTo(order.terms.deadline - 1n);
      // Each attempt is mined (explicit gas): the first in the block at the deadline, the second at + 1 s.
      for (let i = 0; i < 2; i++) {
        await expect(engine.connect(f.accounts.admin).settle(order, { gasLimit: 3_000_000n }))
          .to.be.revertedWithCustomError(engine, "TradeExpired")
          .withArgs(order.terms.deadline);
      }
      expect(await engine.isNonceUsed(f.accounts.enterpriseY, order.terms.nonce)).to.equal(false);
    });

    it("[27] a signature by another wallet, or none, is refused naming the expected signer", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, bankB, enterpriseY, enterpriseX } = f.accounts;
      const order = await discountOrder(f, 1n);
      const cases: [string, SignedOrder, string][] = [
        [
          "maker signed by X",
          { ...order, makerSignature: await signTerms(engine, enterpriseX, order.terms) },
          enterpriseY.address,
        ],
        [
          "taker signed by bank B",
          { ...order, takerSignature: await signTerms(engine, bankB, order.terms) },
          bankA.address,
        ],
        ["maker signature missing", { ...order, makerSignature: "0x" }, enterpriseY.address],
        ["taker signature missing", { ...order, takerSignature: "0x" }, bankA.address],
        [
          "signatures swapped",
          { ...order, makerSignature: order.takerSignature, takerSignature: order.makerSignature },
          enterpriseY.address,
        ],
      ];
      for (const [name, bad, signer] of cases) {
        await expect(engine.connect(admin).settle(bad), name)
          .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
          .withArgs(signer);
      }
      await expect(engine.connect(admin).settle(order)).to.emit(engine, "TradeSettled");
    });

    it("[27] a high-s malleated signature (valid for ecrecover) and the compact encoding are refused", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const order = await discountOrder(f, 1n);
      const digest = await tradeIdOf(engine, order.terms);
      const highS = malleate(order.makerSignature);
      expect(BigInt(ethers.dataSlice(highS, 32, 64))).to.be.greaterThan(SECP256K1_N / 2n);
      expect(await ecrecover(digest, highS)).to.equal(enterpriseY.address);
      expect(await ecrecover(digest, order.makerSignature)).to.equal(enterpriseY.address);
      await expect(engine.connect(admin).settle({ ...order, makerSignature: highS }))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(enterpriseY.address);
      await expect(engine.connect(enterpriseY).settle({ ...order, takerSignature: malleate(order.takerSignature) }))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(bankA.address);
      const compact = ethers.Signature.from(order.makerSignature).compactSerialized;
      expect(ethers.getBytes(compact).length).to.equal(64);
      await expect(engine.connect(admin).settle({ ...order, makerSignature: compact }))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(enterpriseY.address);
      await expect(engine.connect(admin).settle(order)).to.emit(engine, "TradeSettled");
    });
  });

  describe("[28] a front-run permit does not make settlement fail", function () {
    it("[28] the engine has no permit entry: it spends standing allowances only", async function () {
      const f = await loadFixture(tradingPlatform);
      const names: string[] = [];
      f.suite.settlementEngine.interface.forEachFunction((fn) => {
        names.push(fn.name);
      });
      expect(names.filter((n) => /permit/i.test(n))).to.deep.equal([]);
    });

    it("[28] the payer's permit submitted first by a front-runner: its own permit call reverts, settlement succeeds", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const cash = f.suite.digitalCurrency;
      const { admin, bankA, bankB } = f.accounts;
      const order = await discountOrder(f, 1n);
      const price = order.terms.takerLeg.amount;
      await mined(cash.connect(bankA).approve(f.engine, 0n));
      const deadline = order.terms.deadline;
      const { v, r, s } = await signPermit(cash, bankA, f.engine, price, deadline);
      // A front-runner (bank B, any wallet) submits bank A's permit first.
      await mined(cash.connect(bankB).permit(bankA, f.engine, price, deadline, v, r, s));
      expect(await cash.allowance(bankA, f.engine)).to.equal(price);
      await expect(cash.connect(bankA).permit(bankA, f.engine, price, deadline, v, r, s)).to.be.revertedWithCustomError(
        cash,
        "ERC2612InvalidSigner",
      );
      await expect(engine.connect(admin).settle(order)).to.changeTokenBalances(
        cash,
        [bankA, f.accounts.enterpriseY],
        [-price, price],
      );
      expect(await cash.allowance(bankA, f.engine)).to.equal(0n);
    });

    it("[28] with a standing allowance, a front-run re-approval by permit to the same amount leaves settlement intact", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const cash = f.suite.digitalCurrency;
      const { bankA, outsider } = f.accounts;
      const order = await discountOrder(f, 1n);
      expect(await cash.allowance(bankA, f.engine)).to.equal(ethers.MaxUint256);
      const deadline = order.terms.deadline;
      const value = ethers.MaxUint256;
      const { v, r, s } = await signPermit(cash, bankA, f.engine, value, deadline);
      await mined(cash.connect(outsider).permit(bankA, f.engine, value, deadline, v, r, s));
      await expect(
        cash.connect(outsider).permit(bankA, f.engine, value, deadline, v, r, s),
      ).to.be.revertedWithCustomError(cash, "ERC2612InvalidSigner");
      await expect(engine.connect(bankA).settle(order)).to.emit(engine, "TradeSettled");
    });
  });

  describe("[29] bumping the nonce floor cancels every outstanding order", function () {
    it("[29] the maker's raiseNonceFloor voids all its orders below the floor; one at the floor still settles", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, enterpriseY } = f.accounts;
      const orders = [
        await discountOrder(f, 1n, 5n),
        await discountOrder(f, 1n, 300n),
        await discountOrder(f, 1n, 999n),
      ];
      await expect(engine.connect(enterpriseY).raiseNonceFloor(1000n))
        .to.emit(engine, "NonceFloorRaised")
        .withArgs(enterpriseY.address, 1000n);
      for (const order of orders) {
        expect(await engine.isNonceUsed(enterpriseY, order.terms.nonce)).to.equal(true);
        await expect(engine.connect(admin).settle(order))
          .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
          .withArgs(enterpriseY.address, order.terms.nonce);
      }
      await expect(engine.connect(admin).settleBatch(orders))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(enterpriseY.address, 5n);
      for (const floor of [999n, 1000n]) {
        await expect(engine.connect(enterpriseY).raiseNonceFloor(floor))
          .to.be.revertedWithCustomError(engine, "TradeNonceFloorNotRaised")
          .withArgs(floor);
      }
      expect(await engine.nonceFloor(enterpriseY)).to.equal(1000n);
      await expect(engine.connect(admin).settle(await discountOrder(f, 1n, 1000n))).to.emit(engine, "TradeSettled");
    });

    it("[29] the taker's floor voids the orders it signed; cancelNonce voids one order", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const signedByTaker = await discountOrder(f, 1n, 40n);
      await mined(engine.connect(bankA).raiseNonceFloor(41n));
      await expect(engine.connect(admin).settle(signedByTaker))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(bankA.address, 40n);
      await expect(engine.connect(enterpriseY).settle(signedByTaker))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(bankA.address, 40n);
      const cancelled = await discountOrder(f, 1n, 77n);
      const kept = await discountOrder(f, 1n, 78n);
      await expect(engine.connect(enterpriseY).cancelNonce(77n))
        .to.emit(engine, "NonceCancelled")
        .withArgs(enterpriseY.address, 77n);
      await expect(engine.connect(enterpriseY).cancelNonce(77n))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(enterpriseY.address, 77n);
      await expect(engine.connect(admin).settle(cancelled))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(enterpriseY.address, 77n);
      // Bank A's floor (41) is below 78: the kept order settles.
      await expect(engine.connect(admin).settle(kept)).to.emit(engine, "TradeSettled");
    });

    it("[29] a proposal already made is a trade, not an order: the floor leaves it acceptable; withdraw ends it", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { bankA, enterpriseY } = f.accounts;
      const terms = await discountTerms(f, enterpriseY, bankA, PART);
      terms.nonce = 10n;
      await mined(engine.connect(enterpriseY).propose(terms));
      await mined(engine.connect(enterpriseY).raiseNonceFloor(100n));
      const id = await tradeIdOf(engine, terms);
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Proposed), 0n]);
      const snapshot = await takeSnapshot();
      await expect(engine.connect(bankA).accept(terms)).to.emit(engine, "TradeSettled");
      await snapshot.restore();
      await mined(engine.connect(enterpriseY).withdraw(terms));
      expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Withdrawn), 0n]);
    });
  });
});
