/*
 * SettlementEngine.offeredBill (checklist 36): a bill's would-be buyer reads the bill it is offered before it answers.
 * The ledger shows a bill only to its parties, and the buyer is not one yet; the maker consents by proposing the
 * trade or by signing the order, and the engine (which sees through the ledger) answers the trade's taker only.
 *
 * The scene: the shared market; enterprise Y offers [1, PART] of the fixture bill to bank B (no party of the bill:
 * bank A accepted it) at the discount price.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { VoidSigner, ZeroAddress } from "ethers";
import { billTermsOf, mined } from "../../../tasks/lib/bills";
import { orderToJson, signTerms, tradeIdOf } from "../../../tasks/lib/dvp";
import { offeredBill } from "../../../tasks/lib/trades";
import { discountTerms } from "../../fixtures/dvp";
import { PART, market } from "../../fixtures/dvpScenes";
import { asRegulator } from "../../fixtures/platform";
import { asPlatform } from "../regulator/asPlatform";

async function offer() {
  const f = await loadFixture(market);
  const engine = f.suite.settlementEngine;
  const { enterpriseY: y, bankB } = f.accounts;
  const terms = await discountTerms(f, y, bankB, PART);
  const bill = await asRegulator(f.suite.billLedger).bill(f.billId, 1n);
  return { f, engine, y, bankB, terms, bill, signature: await signTerms(engine, y, terms) };
}

describe("SettlementEngine.offeredBill", function () {
  it("36. the taker of an order the maker signed reads the bill of the maker's leg", async function () {
    const { f, engine, bankB, terms, bill, signature } = await offer();
    // Bank B is no party of the bill: the ledger refuses it.
    await expect(f.suite.billLedger.connect(bankB).bill(f.billId, 1n))
      .to.be.revertedWithCustomError(f.suite.billLedger, "ReadNotAllowed")
      .withArgs(bankB.address);
    expect(await engine.connect(bankB).offeredBill(terms, signature)).to.deep.equal(bill);
  });

  it("36. the taker of a live proposal reads it without a signature, and no longer once the proposal ends", async function () {
    const { engine, y, bankB, terms, bill } = await offer();
    await mined(engine.connect(y).propose(terms));
    expect(await engine.connect(bankB).offeredBill(terms, "0x")).to.deep.equal(bill);
    await mined(engine.connect(y).withdraw(terms));
    await expect(engine.connect(bankB).offeredBill(terms, "0x"))
      .to.be.revertedWithCustomError(engine, "ReadNotAllowed")
      .withArgs(bankB.address);
  });

  it("36. a signature by another wallet, or over other terms, shows nothing", async function () {
    const { engine, bankB, terms, f } = await offer();
    const byTaker = await signTerms(engine, bankB, terms);
    const otherTerms = await discountTerms(f, f.accounts.enterpriseY, bankB, PART, { start: PART + 1n });
    const overOther = await signTerms(engine, f.accounts.enterpriseY, otherTerms);
    for (const signature of ["0x", byTaker, overOther]) {
      await expect(engine.connect(bankB).offeredBill(terms, signature))
        .to.be.revertedWithCustomError(engine, "ReadNotAllowed")
        .withArgs(bankB.address);
    }
  });

  it("36. nobody but the taker reads it with the maker's signature: the bill's acceptor, an outsider, the zero address", async function () {
    const { engine, terms, signature, f } = await offer();
    const { bankA, outsider } = f.accounts;
    const nobody = new VoidSigner(ZeroAddress, engine.runner!.provider);
    // Bank A reads the bill from the ledger, as its acceptor; the offer is not made to it.
    for (const reader of [bankA, outsider, nobody]) {
      await expect(engine.connect(reader).offeredBill(terms, signature))
        .to.be.revertedWithCustomError(engine, "ReadNotAllowed")
        .withArgs(reader.address);
    }
  });

  it("36. a maker shows only a bill it may read: an order an outsider signs for a bill of others shows nothing", async function () {
    const { f, engine, bankB, terms } = await offer();
    const { outsider } = f.accounts;
    // The outsider names itself maker of Y's range and its accomplice, bank B here, taker: its consent is worth nothing.
    const forged = { ...terms, maker: outsider.address };
    await expect(engine.connect(bankB).offeredBill(forged, await signTerms(engine, outsider, forged)))
      .to.be.revertedWithCustomError(f.suite.billLedger, "ReadNotAllowed")
      .withArgs(outsider.address);
  });

  it("36. the regulator sees through: it reads the bill with no signature", async function () {
    const { engine, terms, bill } = await offer();
    expect(await asRegulator(engine).offeredBill(terms, "0x")).to.deep.equal(bill);
  });

  it("reverts TradeInvalidLeg(0) when the maker delivers cash: the taker holds the bill and reads it itself", async function () {
    const { engine, f } = await offer();
    const { enterpriseY: y, bankB } = f.accounts;
    const buy = await discountTerms(f, y, bankB, PART, { sellerMakes: false });
    await expect(engine.connect(y).offeredBill(buy, await signTerms(engine, bankB, buy)))
      .to.be.revertedWithCustomError(engine, "TradeInvalidLeg")
      .withArgs(0);
  });

  describe("the task library (dvp offered)", function () {
    it("reads the bill from an order file the maker signed, as the taker", async function () {
      const { f, bankB, terms, bill, signature } = await offer();
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "offered-")), "order.json");
      fs.writeFileSync(file, orderToJson({ terms, makerSignature: signature, takerSignature: "0x" }));
      expect(await offeredBill(asPlatform(f.suite, bankB), { order: file })).to.deep.equal(billTermsOf(f.billId, bill));
      fs.rmSync(path.dirname(file), { recursive: true });
    });

    it("reads the bill of a live proposal by its id, and wants exactly one of --order and --id", async function () {
      const { f, engine, y, bankB, terms, bill } = await offer();
      await mined(engine.connect(y).propose(terms));
      const platform = asPlatform(f.suite, bankB);
      const id = await tradeIdOf(engine, terms);
      expect(await offeredBill(platform, { id })).to.deep.equal(billTermsOf(f.billId, bill));
      for (const options of [{}, { id, order: "order.json" }]) {
        await expect(offeredBill(platform, options)).to.be.rejectedWith(
          "give --order (an order file the maker signed) or --id (a live proposal)",
        );
      }
    });
  });
});
