/*
 * The `dvp offered` task's library: a bill's would-be buyer reads the bill of the maker's leg before it answers.
 * The trade comes from an order file or a live proposal's id; the bill is read straight from the ledger, where every
 * bill is public (the engine is not asked).
 *
 * The scene: the shared market; enterprise Y offers [1, PART] of the fixture bill to bank B (no party of the bill:
 * bank A accepted it) at the discount price.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { billTermsOf, mined } from "../../../tasks/lib/bills";
import { orderToJson, signTerms, tradeIdOf } from "../../../tasks/lib/dvp";
import { offeredBill } from "../../../tasks/lib/trades";
import { discountTerms } from "../../fixtures/dvp";
import { PART, market } from "../../fixtures/dvpScenes";
import { asPlatform } from "../regulator/asPlatform";

async function offer() {
  const f = await loadFixture(market);
  const engine = f.suite.settlementEngine;
  const { enterpriseY: y, bankB } = f.accounts;
  const terms = await discountTerms(f, y, bankB, PART);
  const bill = await f.suite.billLedger.bill(f.billId);
  return { f, engine, y, bankB, terms, bill, signature: await signTerms(engine, y, terms) };
}

/** Writes `order` to a file in a fresh folder; returns the file's path. */
function orderFile(order: Parameters<typeof orderToJson>[0]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "offered-")), "order.json");
  fs.writeFileSync(file, orderToJson(order));
  return file;
}

describe("dvp offered (the task library)", function () {
  it("reads the bill of the maker's leg from an order file the maker signed, as the taker", async function () {
    const { f, bankB, terms, bill, signature } = await offer();
    const file = orderFile({ terms, makerSignature: signature, takerSignature: "0x" });
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
        "give --order (an order file) or --id (a live proposal)",
      );
    }
  });

  it("refuses a trade whose maker delivers cash: there is no offered bill (the taker delivers it)", async function () {
    const { f, engine, y, bankB } = await offer();
    const buy = await discountTerms(f, y, bankB, PART, { sellerMakes: false });
    const file = orderFile({ terms: buy, makerSignature: await signTerms(engine, bankB, buy), takerSignature: "0x" });
    await expect(offeredBill(asPlatform(f.suite, y), { order: file })).to.be.rejectedWith(
      /^the maker delivers no bill in this trade \(it gives CNY [\d,.]+\)$/,
    );
    fs.rmSync(path.dirname(file), { recursive: true });
  });
});
