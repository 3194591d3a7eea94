/*
 * The regulator's audit (tasks/lib/audit.ts) over a scenario run through the task library on the trading fixture:
 * a discount with sealed terms, a bill with a sealed trade background, a view-key rotation, a signed order sealed
 * for the new key, a tampered copy of an envelope, a proposal committing to terms never posted, one sealed for a
 * stray key, and freezes of money and of a bill range.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "ethers";
import { tradingPlatform } from "../../fixtures/dvp";
import { CODES, entityIdOf } from "../../fixtures/platform";
import { asPlatform } from "./asPlatform";
import { audit, type AuditReport } from "../../../tasks/lib/audit";
import { BillType } from "../../../tasks/lib/bills";
import { issueSealedBill, postedEnvelopes, REGULATOR_READER } from "../../../tasks/lib/confidential";
import { encodeEnvelope, newEncryptionKey, sealEnvelope } from "../../../tasks/lib/envelope";
import { freezeOrder, publishEntityKey, rotateViewKey } from "../../../tasks/lib/regulator";
import { actOnTrade, proposeTrade, settleOrder, signOrder } from "../../../tasks/lib/trades";

const ENTITY_KEYS = [newEncryptionKey(), newEncryptionKey(), newEncryptionKey(), newEncryptionKey()];
const VIEW_1 = newEncryptionKey();
const VIEW_2 = newEncryptionKey();
const STRAY = newEncryptionKey();

const DISCOUNT_TERMS = { invoice: "INV-2026-0042", note: "rate agreed by phone on 2 March", buyer: "Bank A" };
const BILL_TERMS = { contract: "PC-2026-007", invoice: "044031900222", goods: "hot-rolled steel coils, 400 t" };
const SIGNED_TERMS = { invoice: "INV-2026-0043", note: "second tranche" };

/** Units of the fixture bill (held by enterprise Y) each step takes. */
const UNITS = { discount: 50_000_000n, signed: 30_000_000n, missing: 10_000_000n, stray: 10_000_000n };
const FROZEN_START = 100_000_001n;
const FROZEN_UNITS = 5_000_000n;
const FACE_2 = 500_000_00n;

async function auditScenario() {
  const f = await loadFixture(tradingPlatform);
  const { accounts: a, suite } = f;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "audit-"));
  const file = (name: string, value: unknown) => {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, JSON.stringify(value));
    return p;
  };
  const [x, y, bankA, bankB, regulator] = [a.enterpriseX, a.enterpriseY, a.bankA, a.bankB, a.regulator].map((s) =>
    asPlatform(suite, s),
  );
  for (const [i, p] of [x, y, bankA, bankB].entries()) await publishEntityKey(p, ENTITY_KEYS[i].publicKey);
  await rotateViewKey(regulator, VIEW_1.publicKey);
  const fromBlock = (await hre.ethers.provider.getBlockNumber()) + 1;
  const bill = String(f.billId);

  // Sealed for view key version 1.
  const discount = await proposeTrade(y, {
    kind: "discount",
    taker: a.bankA.address,
    bill,
    start: "1",
    units: String(UNITS.discount),
    rate: "2.5%",
    confidentialFile: file("discount.json", DISCOUNT_TERMS),
  });
  await actOnTrade(bankA, discount.tradeId, "accept");
  const sealedBill = await issueSealedBill(
    x,
    {
      billType: BillType.BankAcceptance,
      acceptor: a.bankB.address,
      payee: a.enterpriseY.address,
      face: FACE_2,
      maturityDay: f.maturityDay,
    },
    BILL_TERMS,
  );

  // Sealed for view key version 2.
  await rotateViewKey(regulator, VIEW_2.publicKey);
  const order = path.join(tmp, "order.json");
  const signed = await signOrder(
    y,
    {
      kind: "discount",
      taker: a.bankB.address,
      bill,
      start: String(UNITS.discount + 1n),
      units: String(UNITS.signed),
      rate: "2.5%",
      confidentialFile: file("signed.json", SIGNED_TERMS),
    },
    undefined,
    order,
  );
  await signOrder(bankB, undefined, order, undefined);
  await settleOrder(bankB, order);

  // A copy of the discount's envelope with one ciphertext byte flipped, under the same commitment.
  const [original] = await postedEnvelopes(suite.envelopeBoard, discount.terms.confidential);
  const body = ethers.getBytes(original.envelope!.ciphertext);
  body[5] ^= 0x01;
  const tampered = { ...original.envelope!, ciphertext: ethers.hexlify(body) };
  await (
    await suite.envelopeBoard.connect(a.enterpriseY).post(discount.terms.confidential, encodeEnvelope(tampered))
  ).wait();

  // A proposal committing to sealed terms that nobody posts; withdrawn.
  let start = UNITS.discount + UNITS.signed + 1n;
  const missing = await proposeTrade(y, {
    kind: "discount",
    taker: a.bankA.address,
    bill,
    start: String(start),
    units: String(UNITS.missing),
    rate: "2.5%",
    confidential: ethers.id("terms never posted"),
  });
  await actOnTrade(y, missing.tradeId, "withdraw");

  // An envelope that names view key version 2 but wraps the data key for a stray key; the proposal stays open.
  start += UNITS.missing;
  const stray = sealEnvelope({ note: "sealed for the wrong regulator key" }, [
    { id: a.enterpriseY.address, publicKey: ENTITY_KEYS[1].publicKey, keyVersion: 1 },
    { id: a.bankA.address, publicKey: ENTITY_KEYS[2].publicKey, keyVersion: 1 },
    { id: REGULATOR_READER, publicKey: STRAY.publicKey, keyVersion: 2 },
  ]);
  await (
    await suite.envelopeBoard.connect(a.enterpriseY).post(stray.commitment, encodeEnvelope(stray.envelope))
  ).wait();
  const strayTrade = await proposeTrade(y, {
    kind: "discount",
    taker: a.bankA.address,
    bill,
    start: String(start),
    units: String(UNITS.stray),
    rate: "2.5%",
    confidential: stray.commitment,
  });

  // Freezes: part of enterprise X's money, the finance company's whole account, part of Y's remaining range; and
  // an amount of bank A's money frozen and released again.
  const beforeFreezes = await hre.ethers.provider.getBlockNumber();
  await freezeOrder(regulator, { account: a.enterpriseX.address, amount: "1000" }, false);
  await freezeOrder(regulator, { account: a.financeCo.address }, false);
  await freezeOrder(regulator, { bill, start: String(FROZEN_START), units: String(FROZEN_UNITS) }, false);
  await freezeOrder(regulator, { account: a.bankA.address, amount: "5" }, false);
  await freezeOrder(regulator, { account: a.bankA.address, amount: "5" }, true);

  fs.rmSync(tmp, { recursive: true, force: true });
  return {
    ...f,
    regulator,
    fromBlock,
    beforeFreezes,
    discount,
    signed: signed.trade,
    sealedBill,
    missing,
    strayTrade,
  };
}

type Scenario = Awaited<ReturnType<typeof auditScenario>>;

const latest = () => hre.ethers.provider.getBlockNumber();

async function auditWith(s: Scenario, viewKeys?: string[], fromBlock = s.fromBlock): Promise<AuditReport> {
  return audit(s.regulator, { fromBlock, toBlock: await latest() }, { viewKeys });
}

const envelopeOf = (r: AuditReport, ref: string) => r.envelopes.filter((e) => e.ref === ref);

describe("Regulator audit (tasks/lib/audit.ts)", function () {
  describe("audit()", function () {
    describe("over the scenario's blocks", function () {
      it("lists the bill issued, the freezes of a range, and every trade with its status and events", async function () {
        const s = await loadFixture(auditScenario);
        const r = await auditWith(s);
        expect(r.bills.map((b) => [b.billId, b.drawer, b.acceptor, b.payee, b.face, b.tradeHash])).to.deep.equal([
          [
            s.billId + 1n,
            s.accounts.enterpriseX.address,
            s.accounts.bankB.address,
            s.accounts.enterpriseY.address,
            FACE_2,
            s.sealedBill.tradeHash,
          ],
        ]);
        expect(r.billActs.filter((act) => act.event === "BillIssued").map((act) => act.billId)).to.deep.equal([
          s.billId + 1n,
        ]);
        const frozenActs = r.billActs.filter((act) => act.event === "RangeUpdated");
        expect(frozenActs.map((act) => [act.billId, act.args.start, act.args.state, act.args.freeze])).to.deep.equal([
          [s.billId, String(FROZEN_START), "Frozen", "frozen"],
        ]);
        expect(r.trades.map((t) => [t.tradeId, t.kind, t.status, t.events.map((e) => e.event)])).to.deep.equal([
          [s.discount.tradeId, "Discount", "Settled", ["TradeProposed", "TradeSettled"]],
          [s.signed.tradeId, "Discount", "Settled", ["TradeSettled"]],
          [s.missing.tradeId, "Discount", "Withdrawn", ["TradeProposed", "TradeEnded"]],
          [s.strayTrade.tradeId, "Discount", "Proposed", ["TradeProposed"]],
        ]);
        expect(r.summary).to.include({ billsIssued: 1, trades: 4, tradesSettled: 2, frozenAccounts: 2 });
      });

      it("sums the money each institution paid and received and the trades it settled", async function () {
        const s = await loadFixture(auditScenario);
        const r = await auditWith(s);
        const discountCash = s.discount.takerGives.amount;
        const signedCash = s.signed.takerGives.amount;
        const byEntity = Object.fromEntries(r.volumes.map((v) => [v.entityId, v]));
        expect(byEntity[entityIdOf(CODES.enterpriseY)]).to.deep.include({
          kind: "Enterprise",
          wallets: [s.accounts.enterpriseY.address],
          trades: 2,
          paid: 0n,
          received: discountCash + signedCash,
          billUnitsDelivered: UNITS.discount + UNITS.signed,
          billUnitsReceived: 0n,
        });
        expect(byEntity[entityIdOf(CODES.bankA)]).to.deep.include({
          kind: "Bank",
          trades: 1,
          paid: discountCash,
          received: 0n,
          billUnitsReceived: UNITS.discount,
        });
        expect(byEntity[entityIdOf(CODES.bankB)]).to.deep.include({ trades: 1, paid: signedCash });
        expect(r.volumes).to.have.length(3);
      });

      it("shows the money and ranges frozen at the end block, and every currency freeze of the range", async function () {
        const s = await loadFixture(auditScenario);
        const r = await auditWith(s);
        const frozen = Object.fromEntries(r.frozen.accounts.map((acc) => [acc.account, acc]));
        expect(Object.keys(frozen)).to.have.members([s.accounts.enterpriseX.address, s.accounts.financeCo.address]);
        expect(frozen[s.accounts.enterpriseX.address]).to.include({ accountFrozen: false, frozenAmount: 1000_00n });
        expect(frozen[s.accounts.financeCo.address]).to.include({ accountFrozen: true, frozenAmount: 0n });
        expect(r.frozen.ranges.map((g) => [g.billId, g.start, g.end, g.holder])).to.deep.equal([
          [s.billId, FROZEN_START, FROZEN_START + FROZEN_UNITS - 1n, s.accounts.enterpriseY.address],
        ]);
        expect(r.freezeActs.map((act) => [act.event, act.account, act.amount])).to.deep.equal([
          ["AmountFrozen", s.accounts.enterpriseX.address, 1000_00n],
          ["AccountFrozen", s.accounts.financeCo.address, undefined],
          ["AmountFrozen", s.accounts.bankA.address, 5_00n],
          ["AmountUnfrozen", s.accounts.bankA.address, 5_00n],
        ]);
      });
    });

    describe("when the range ends before the freezes", function () {
      it("reads the frozen assets as of its end block: none", async function () {
        const s = await loadFixture(auditScenario);
        const r = await audit(s.regulator, { fromBlock: s.fromBlock, toBlock: s.beforeFreezes }, {});
        expect(r.frozen).to.deep.equal({ accounts: [], ranges: [] });
        expect(r.freezeActs).to.deep.equal([]);
        expect(r.trades).to.have.length(4);
      });
    });

    describe("when the range starts after the scenario", function () {
      it("finds nothing", async function () {
        const s = await loadFixture(auditScenario);
        await hre.network.provider.send("evm_mine");
        const end = await latest();
        const r = await audit(s.regulator, { fromBlock: end, toBlock: end }, {});
        expect([r.bills, r.billActs, r.trades, r.volumes, r.envelopes, r.flags]).to.deep.equal([
          [],
          [],
          [],
          [],
          [],
          [],
        ]);
        expect(r.frozen.accounts).to.have.length(2); // what stands frozen is state, not an event of the range
      });
    });

    describe("when the view keys of both versions are given", function () {
      it("opens the discount's and the bill's envelopes (sealed before the rotation) with the old key", async function () {
        const s = await loadFixture(auditScenario);
        const r = await auditWith(s, [VIEW_2.privateKey, VIEW_1.privateKey]);
        expect(r.viewKeys).to.deep.equal({ current: 2, versions: [1, 2], unmatchedPublicKeys: [] });
        const [discountEnvelope] = envelopeOf(r, s.discount.tradeId);
        expect(discountEnvelope).to.deep.include({
          source: "trade",
          commitment: s.discount.terms.confidential,
          status: "verified",
          keyVersion: 1,
          poster: s.accounts.enterpriseY.address,
          terms: DISCOUNT_TERMS,
        });
        expect(envelopeOf(r, String(s.billId + 1n))).to.have.length(1);
        expect(envelopeOf(r, String(s.billId + 1n))[0]).to.deep.include({
          source: "bill",
          status: "verified",
          keyVersion: 1,
          poster: s.accounts.enterpriseX.address,
          terms: BILL_TERMS,
        });
      });

      it("opens the signed order's envelope, sealed after the rotation, with the new key", async function () {
        const s = await loadFixture(auditScenario);
        const r = await auditWith(s, [VIEW_1.privateKey, VIEW_2.privateKey]);
        expect(envelopeOf(r, s.signed.tradeId)).to.have.length(1);
        expect(envelopeOf(r, s.signed.tradeId)[0]).to.deep.include({
          status: "verified",
          keyVersion: 2,
          terms: SIGNED_TERMS,
        });
        expect(r.summary.envelopesVerified).to.equal(3);
      });

      it("flags the tampered copy, the commitment with no envelope and the envelope sealed for a stray key", async function () {
        const s = await loadFixture(auditScenario);
        const r = await auditWith(s, [VIEW_1.privateKey, VIEW_2.privateKey]);
        expect(r.flags.map((f) => [f.kind, f.source, f.ref, f.commitment])).to.deep.equal([
          ["tampered", "trade", s.discount.tradeId, s.discount.terms.confidential],
          ["no-envelope", "trade", s.missing.tradeId, s.missing.terms.confidential],
          ["wrong-key", "trade", s.strayTrade.tradeId, s.strayTrade.terms.confidential],
        ]);
        expect(envelopeOf(r, s.discount.tradeId).map((e) => e.status)).to.deep.equal(["verified", "tampered"]);
        expect(r.flags[2].detail).to.equal("the data key for regulator does not unwrap with its key of version 2");
      });
    });

    describe("when only the current view key is given", function () {
      it("flags the envelopes sealed for the old key as not openable (no-key), and opens the rest", async function () {
        const s = await loadFixture(auditScenario);
        const r = await auditWith(s, [VIEW_2.privateKey, STRAY.privateKey]);
        expect(r.viewKeys).to.deep.equal({
          current: 2,
          versions: [2],
          unmatchedPublicKeys: [STRAY.publicKey.toLowerCase()],
        });
        const noKey = r.flags.filter((f) => f.kind === "no-key").map((f) => f.ref);
        expect(noKey).to.deep.equal([s.discount.tradeId, s.discount.tradeId, String(s.billId + 1n)]);
        expect(envelopeOf(r, s.signed.tradeId)[0].status).to.equal("verified");
      });
    });

    describe("when no view key is given", function () {
      it("lists the envelopes unopened and still flags the commitment with no envelope", async function () {
        const s = await loadFixture(auditScenario);
        const r = await auditWith(s);
        expect(r.viewKeys).to.equal(undefined);
        expect(r.envelopes.filter((e) => e.status === "not opened")).to.have.length(5);
        expect(r.envelopes.every((e) => e.terms === undefined)).to.equal(true);
        expect(r.flags.map((f) => [f.kind, f.ref])).to.deep.equal([["no-envelope", s.missing.tradeId]]);
      });
    });
  });
});
