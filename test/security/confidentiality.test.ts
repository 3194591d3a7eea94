/*
 * Confidential terms with the real contracts (issue 5), by line of the shared SECURITY-CHECKLIST.md.
 *
 * The path a trade's confidential terms take: the parties publish their keys (EncryptionKeys.setEntityKey), the
 * regulator publishes its view key (rotateViewKey); the seller seals the terms (tasks/lib/envelope.ts) for the
 * seller, the buyer and the view key read from the chain, posts the envelope on the EnvelopeBoard under its
 * commitment, and the commitment is the trade's `Terms.confidential`, signed by both parties (EIP-712) and settled
 * by the agent. A reader finds the commitment in the TradeSettled event, the envelope in the EnvelopePosted events
 * under it, and opens it with its key, checking it against the commitment. A bill binds its envelope the same way
 * through `IssueParams.tradeHash`.
 *
 * Covered here:
 * 37. Encrypted terms decrypt with the counterparty's key and with the regulator's view key, and with no other key;
 *     a commitment mismatch is detected. The envelope opens with the maker's, the taker's and the view key, and
 *     not with an outsider's key, a third party's published key (enterprise X), or the old view key for an
 *     envelope sealed after a rotation; a tampered ciphertext or wrapped key is detected (EnvelopeError); an
 *     envelope posted under a commitment its content does not match is detected (and the genuine one is kept),
 *     as are terms whose `confidential` is not the envelope's commitment; `confidential` is part of the trade id,
 *     so an order whose commitment was swapped fails the signature check (TradeInvalidSignature). The same for a
 *     bill: its drawer, acceptor and payee and the view key open the envelope its tradeHash commits to, a
 *     mismatch is detected, and the tradeHash is read only by the bill's parties and the regulator.
 * 38. Rotating the regulator's view key: envelopes sealed after `rotateViewKey` record the new version and open
 *     with the new key, not the old; envelopes sealed before still open with the old key (the version they
 *     record), and `viewKeyAt(1)` still returns it.
 *
 * What this does not hide: the envelope's length, its poster and its recipients' ids (wallet addresses) are in
 * the EnvelopePosted event, and every other term of the trade is in the clear in TradeSettled (README
 * *Confidentiality*).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { EncryptionKeys, EnvelopeBoard } from "../../typechain-types";
import { discountTerms, signedBy, tradingPlatform, type DvpFixture } from "../fixtures/dvp";
import { BillType, issueBill, mined } from "../../tasks/lib/bills";
import { tradeIdOf, type Terms } from "../../tasks/lib/dvp";
import {
  EnvelopeError,
  decodeEnvelope,
  encodeEnvelope,
  newEncryptionKey,
  openAndVerify,
  openEnvelope,
  publicKeyOf,
  sealEnvelope,
  type Envelope,
  type Recipient,
} from "../../tasks/lib/envelope";

const PART = 1_000_000n;
const REGULATOR = "regulator";
/** What the parties keep out of the clear. */
const TRADE_TERMS = {
  invoice: "044031900111",
  background: "purchase contract PC-2026-001",
  note: "rate agreed by phone",
};
const BILL_TERMS = { invoice: "044031900222", background: "supply contract SC-2026-009", goods: "steel coil, 40 t" };

/** Private keys of the scene (the chain only ever sees the public halves). */
const KEYS = {
  enterpriseX: newEncryptionKey(),
  enterpriseY: newEncryptionKey(),
  bankA: newEncryptionKey(),
  bankB: newEncryptionKey(),
  view1: newEncryptionKey(),
  view2: newEncryptionKey(),
  outsider: newEncryptionKey(),
};

/** A reader of `wallet`'s entity, with the key and version published on chain. */
async function recipientOf(keys: EncryptionKeys, wallet: HardhatEthersSigner): Promise<Recipient> {
  const [publicKey, version] = await keys.keyOf(wallet.address);
  return { id: wallet.address, publicKey, keyVersion: Number(version) };
}

/** The regulator as a reader: its current view key and version, from the chain. */
async function viewRecipient(keys: EncryptionKeys): Promise<Recipient> {
  const [publicKey, version] = await keys.viewKey();
  return { id: REGULATOR, publicKey, keyVersion: Number(version) };
}

/** The envelopes posted under `commitment`, decoded, in posting order. */
async function envelopesUnder(board: EnvelopeBoard, commitment: string): Promise<Envelope[]> {
  const posted = await board.queryFilter(board.filters.EnvelopePosted(commitment));
  return posted.map((e) => decodeEnvelope(e.args.envelope));
}

/** The regulator's private key for the view-key version an envelope records for it. */
function viewKeyFor(envelope: Envelope): string {
  const entry = envelope.recipients.find((r) => r.id === REGULATOR)!;
  return [KEYS.view1, KEYS.view2][entry.keyVersion - 1].privateKey;
}

/**
 * Every party has published its key (enterprise X, enterprise Y, bank A, bank B) and the regulator view key 1.
 * Enterprise Y sold PART of the fixture bill to bank B at a discount, with confidential terms: the envelope is
 * sealed for Y, bank B and the view key, posted by Y on the board, its commitment in the signed terms; the agent
 * settled the order. Enterprise X is a third party with a published key.
 */
async function confidentialTrade() {
  const f = await loadFixture(tradingPlatform);
  const { accounts, suite } = f;
  const keys = suite.encryptionKeys;
  for (const name of ["enterpriseX", "enterpriseY", "bankA", "bankB"] as const) {
    await mined(keys.connect(accounts[name]).setEntityKey(KEYS[name].publicKey));
  }
  await mined(keys.connect(accounts.regulator).rotateViewKey(KEYS.view1.publicKey));
  const { terms, envelope, commitment } = await sealedTrade(f, TRADE_TERMS);
  const engine = suite.settlementEngine;
  const order = await signedBy(engine, terms, accounts.enterpriseY, accounts.bankB);
  const receipt = await (await engine.connect(accounts.admin).settle(order)).wait();
  return { ...f, terms, order, envelope, commitment, settleTx: receipt!.hash };
}

/**
 * Seals `payload` for Y, bank B and the current view key, posts it (by Y), and returns terms bound to it: Y sells
 * PART units of the fixture bill from `start` to bank B at a discount.
 */
async function sealedTrade(f: DvpFixture, payload: unknown, start = 1n) {
  const { accounts, suite } = f;
  const keys = suite.encryptionKeys;
  const sealed = sealEnvelope(payload, [
    await recipientOf(keys, accounts.enterpriseY),
    await recipientOf(keys, accounts.bankB),
    await viewRecipient(keys),
  ]);
  await mined(
    suite.envelopeBoard.connect(accounts.enterpriseY).post(sealed.commitment, encodeEnvelope(sealed.envelope)),
  );
  const terms: Terms = {
    ...(await discountTerms(f, accounts.enterpriseY, accounts.bankB, PART, { start })),
    confidential: sealed.commitment,
  };
  return { terms, envelope: sealed.envelope, commitment: sealed.commitment };
}

/** Flips one bit of the hex string `hex` at byte `index`. */
function flip(hex: string, index: number): string {
  const bytes = ethers.getBytes(hex);
  bytes[index] ^= 0x01;
  return ethers.hexlify(bytes);
}

describe("Confidential terms (checklist 37 and 38)", function () {
  describe("a trade whose Terms.confidential commits to an envelope on the board", function () {
    it("37. the reader finds the commitment in TradeSettled and the envelope on the board; it opens with the maker's, the taker's and the view key", async function () {
      const f = await loadFixture(confidentialTrade);
      const { accounts, suite } = f;
      const engine = suite.settlementEngine;
      const [settled] = await engine.queryFilter(engine.filters.TradeSettled(await tradeIdOf(engine, f.terms)));
      expect(settled.transactionHash).to.equal(f.settleTx);
      const commitment = settled.args.terms.confidential;
      expect(commitment).to.equal(f.commitment);
      const [envelope] = await envelopesUnder(suite.envelopeBoard, commitment);
      expect(envelope.recipients.map((r) => [r.id, r.keyVersion])).to.deep.equal([
        [accounts.enterpriseY.address, 1],
        [accounts.bankB.address, 1],
        [REGULATOR, 1],
      ]);
      for (const [id, privateKey] of [
        [accounts.enterpriseY.address, KEYS.enterpriseY.privateKey],
        [accounts.bankB.address, KEYS.bankB.privateKey],
        [REGULATOR, viewKeyFor(envelope)],
      ]) {
        expect(openAndVerify(envelope, commitment, id, privateKey), id).to.deep.equal(TRADE_TERMS);
      }
    });

    it("37. it opens with no other key: not an outsider's, not a third party's published key, under any reader's id", async function () {
      const f = await loadFixture(confidentialTrade);
      const { accounts, suite } = f;
      const [envelope] = await envelopesUnder(suite.envelopeBoard, f.commitment);
      // Not a reader: the envelope has no entry for them.
      for (const [id, key] of [
        [accounts.outsider.address, KEYS.outsider],
        [accounts.enterpriseX.address, KEYS.enterpriseX],
        [accounts.bankA.address, KEYS.bankA],
      ] as const) {
        expect(() => openEnvelope(envelope, id, key.privateKey), id).to.throw(EnvelopeError, "is not a reader");
      }
      // Under a reader's id, any other private key fails to unwrap the data key.
      for (const id of [accounts.enterpriseY.address, accounts.bankB.address, REGULATOR]) {
        for (const key of [KEYS.outsider, KEYS.enterpriseX, KEYS.bankA, KEYS.view2]) {
          expect(() => openEnvelope(envelope, id, key.privateKey), id).to.throw(EnvelopeError, "does not open");
        }
      }
      expect(() => openEnvelope(envelope, accounts.enterpriseY.address, KEYS.bankB.privateKey)).to.throw(EnvelopeError);
    });

    it("37. a tampered ciphertext or wrapped key is detected by every reader (EnvelopeError)", async function () {
      const f = await loadFixture(confidentialTrade);
      const { accounts } = f;
      const readers = [
        [accounts.enterpriseY.address, KEYS.enterpriseY.privateKey],
        [accounts.bankB.address, KEYS.bankB.privateKey],
        [REGULATOR, KEYS.view1.privateKey],
      ] as const;
      const tampered: Envelope = { ...f.envelope, ciphertext: flip(f.envelope.ciphertext, 40) };
      for (const [id, privateKey] of readers) {
        expect(() => openAndVerify(tampered, f.commitment, id, privateKey), id).to.throw(EnvelopeError);
      }
      const rewrapped: Envelope = {
        ...f.envelope,
        recipients: f.envelope.recipients.map((r) => ({ ...r, wrappedKey: flip(r.wrappedKey, 70) })),
      };
      for (const [id, privateKey] of readers) {
        expect(() => openAndVerify(rewrapped, f.commitment, id, privateKey), id).to.throw(EnvelopeError);
      }
    });

    it("37. an envelope posted under a commitment its content does not match is detected, and the genuine one is kept", async function () {
      const f = await loadFixture(confidentialTrade);
      const { accounts, suite } = f;
      const keys = suite.encryptionKeys;
      // Bank A, a verified trader, posts other terms sealed for the same readers under the trade's commitment.
      const forged = sealEnvelope({ ...TRADE_TERMS, note: "rate 0.01 %" }, [
        await recipientOf(keys, accounts.enterpriseY),
        await recipientOf(keys, accounts.bankB),
        await viewRecipient(keys),
      ]);
      expect(forged.commitment).to.not.equal(f.commitment);
      await mined(suite.envelopeBoard.connect(accounts.bankA).post(f.commitment, encodeEnvelope(forged.envelope)));
      const posted = await envelopesUnder(suite.envelopeBoard, f.commitment);
      expect(posted).to.have.length(2);
      for (const [id, privateKey] of [
        [accounts.bankB.address, KEYS.bankB.privateKey],
        [REGULATOR, KEYS.view1.privateKey],
      ]) {
        // It opens (it was sealed for this reader), but not to the committed terms.
        expect(openEnvelope(posted[1], id, privateKey).commitment).to.equal(forged.commitment);
        expect(() => openAndVerify(posted[1], f.commitment, id, privateKey), id).to.throw(
          EnvelopeError,
          "does not match its commitment",
        );
        const genuine = posted.filter((e) => {
          try {
            openAndVerify(e, f.commitment, id, privateKey);
            return true;
          } catch {
            return false;
          }
        });
        expect(genuine.map((e) => openAndVerify(e, f.commitment, id, privateKey))).to.deep.equal([TRADE_TERMS]);
      }
    });

    it("37. terms whose confidential is not the envelope's commitment are detected", async function () {
      const f = await loadFixture(confidentialTrade);
      const other = sealEnvelope({ note: "another trade" }, [
        { id: REGULATOR, publicKey: KEYS.view1.publicKey, keyVersion: 1 },
      ]).commitment;
      const swapped: Terms = { ...f.terms, confidential: other };
      for (const [id, privateKey] of [
        [f.accounts.bankB.address, KEYS.bankB.privateKey],
        [REGULATOR, KEYS.view1.privateKey],
      ]) {
        expect(() => openAndVerify(f.envelope, swapped.confidential, id, privateKey), id).to.throw(
          EnvelopeError,
          "does not match its commitment",
        );
      }
    });

    it("37. confidential is part of the trade id: an order with a swapped commitment fails the signature check (TradeInvalidSignature)", async function () {
      const f = await loadFixture(confidentialTrade);
      const { accounts, suite } = f;
      const engine = suite.settlementEngine;
      const { terms } = await sealedTrade(f, { ...TRADE_TERMS, invoice: "044031900444" }, PART + 1n);
      const order = await signedBy(engine, terms, accounts.enterpriseY, accounts.bankB);
      const other = ethers.keccak256(ethers.toUtf8Bytes("another envelope"));
      const swapped = { ...order, terms: { ...terms, confidential: other } };
      expect(await tradeIdOf(engine, swapped.terms)).to.not.equal(await tradeIdOf(engine, terms));
      await expect(engine.connect(accounts.admin).settle(swapped))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(accounts.enterpriseY.address);
      await expect(engine.connect(accounts.enterpriseY).settle(swapped))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(accounts.bankB.address);
      await expect(engine.connect(accounts.admin).settle(order)).to.emit(engine, "TradeSettled");
    });
  });

  describe("a bill whose tradeHash commits to an envelope on the board", function () {
    /** Enterprise X draws a bill on bank A to Y whose tradeHash is the commitment of an envelope sealed for all three. */
    async function confidentialBill() {
      const f = await loadFixture(confidentialTrade);
      const { accounts, suite } = f;
      const keys = suite.encryptionKeys;
      const sealed = sealEnvelope(BILL_TERMS, [
        await recipientOf(keys, accounts.enterpriseX),
        await recipientOf(keys, accounts.bankA),
        await recipientOf(keys, accounts.enterpriseY),
        await viewRecipient(keys),
      ]);
      const ledger = suite.billLedger.connect(accounts.enterpriseX);
      await mined(
        suite.envelopeBoard.connect(accounts.enterpriseX).post(sealed.commitment, encodeEnvelope(sealed.envelope)),
      );
      const tx = await ledger.issue({
        billType: BillType.BankAcceptance,
        acceptor: accounts.bankA.address,
        payee: accounts.enterpriseY.address,
        face: 5_000_000n,
        maturityDay: f.maturityDay,
        tradeHash: sealed.commitment,
        notTransferable: false,
        splittable: true,
      });
      await tx.wait();
      const billId = await suite.billLedger.billCount();
      return { ...f, bill: billId, sealed };
    }

    it("37. the drawer, the acceptor, the payee and the view key open it, checked against the bill's tradeHash", async function () {
      const f = await confidentialBill();
      const { accounts, suite } = f;
      for (const [reader, key] of [
        [accounts.enterpriseX, KEYS.enterpriseX],
        [accounts.bankA, KEYS.bankA],
        [accounts.enterpriseY, KEYS.enterpriseY],
      ] as const) {
        const { tradeHash } = await suite.billLedger.connect(reader).bill(f.bill, 0n);
        const [envelope] = await envelopesUnder(suite.envelopeBoard, tradeHash);
        expect(openAndVerify(envelope, tradeHash, reader.address, key.privateKey), reader.address).to.deep.equal(
          BILL_TERMS,
        );
      }
      const { tradeHash } = await suite.billLedger.connect(accounts.regulator).bill(f.bill, 0n);
      const [envelope] = await envelopesUnder(suite.envelopeBoard, tradeHash);
      expect(openAndVerify(envelope, tradeHash, REGULATOR, viewKeyFor(envelope))).to.deep.equal(BILL_TERMS);
    });

    it("37. nobody else opens it, or reads the tradeHash through the ledger (ReadNotAllowed)", async function () {
      const f = await confidentialBill();
      const { accounts, suite } = f;
      for (const reader of [accounts.outsider, accounts.bankB]) {
        await expect(suite.billLedger.connect(reader).bill(f.bill, 0n))
          .to.be.revertedWithCustomError(suite.billLedger, "ReadNotAllowed")
          .withArgs(reader.address);
      }
      for (const [id, key] of [
        [accounts.bankB.address, KEYS.bankB],
        [accounts.outsider.address, KEYS.outsider],
      ] as const) {
        expect(() => openEnvelope(f.sealed.envelope, id, key.privateKey), id).to.throw(
          EnvelopeError,
          "is not a reader",
        );
      }
      for (const key of [KEYS.bankB, KEYS.outsider, KEYS.view2]) {
        expect(() => openEnvelope(f.sealed.envelope, accounts.enterpriseY.address, key.privateKey)).to.throw(
          EnvelopeError,
        );
      }
    });

    it("37. a mismatch is detected: an envelope posted under the bill's tradeHash with other content, and a bill whose tradeHash is another", async function () {
      const f = await confidentialBill();
      const { accounts, suite } = f;
      const keys = suite.encryptionKeys;
      const forged = sealEnvelope({ ...BILL_TERMS, goods: "nothing" }, [
        await recipientOf(keys, accounts.bankA),
        await viewRecipient(keys),
      ]);
      await mined(
        suite.envelopeBoard.connect(accounts.enterpriseY).post(f.sealed.commitment, encodeEnvelope(forged.envelope)),
      );
      const { tradeHash } = await suite.billLedger.connect(accounts.bankA).bill(f.bill, 0n);
      const [, posted] = await envelopesUnder(suite.envelopeBoard, tradeHash);
      expect(() => openAndVerify(posted, tradeHash, accounts.bankA.address, KEYS.bankA.privateKey)).to.throw(
        EnvelopeError,
        "does not match its commitment",
      );
      const { billId: plain } = await issueBill(suite.billLedger.connect(accounts.enterpriseX), {
        billType: BillType.BankAcceptance,
        acceptor: accounts.bankA.address,
        payee: accounts.enterpriseY.address,
        face: 5_000_000n,
        maturityDay: f.maturityDay,
        tradeBackground: "a background kept off the board",
      });
      const other = (await suite.billLedger.connect(accounts.bankA).bill(plain, 0n)).tradeHash;
      expect(() => openAndVerify(f.sealed.envelope, other, accounts.bankA.address, KEYS.bankA.privateKey)).to.throw(
        EnvelopeError,
        "does not match its commitment",
      );
    });
  });

  describe("after the regulator rotates its view key", function () {
    /** The trade of `confidentialTrade` (sealed for view key 1), then rotation to view key 2 and a second trade. */
    async function rotated() {
      const f = await loadFixture(confidentialTrade);
      const { accounts, suite } = f;
      await mined(suite.encryptionKeys.connect(accounts.regulator).rotateViewKey(KEYS.view2.publicKey));
      const second = await sealedTrade(f, { ...TRADE_TERMS, invoice: "044031900333" }, PART + 1n);
      const engine = suite.settlementEngine;
      await mined(
        engine
          .connect(accounts.admin)
          .settle(await signedBy(engine, second.terms, accounts.enterpriseY, accounts.bankB)),
      );
      return { ...f, second };
    }

    it("38. new envelopes are sealed for the new version (keyVersion 2): they open with the new key and not the old", async function () {
      const f = await rotated();
      const [envelope] = await envelopesUnder(f.suite.envelopeBoard, f.second.commitment);
      expect(envelope.recipients.find((r) => r.id === REGULATOR)!.keyVersion).to.equal(2);
      expect(openAndVerify(envelope, f.second.commitment, REGULATOR, KEYS.view2.privateKey)).to.deep.equal({
        ...TRADE_TERMS,
        invoice: "044031900333",
      });
      expect(() => openEnvelope(envelope, REGULATOR, KEYS.view1.privateKey)).to.throw(EnvelopeError, "does not open");
      expect(viewKeyFor(envelope)).to.equal(KEYS.view2.privateKey);
    });

    it("38. envelopes sealed before still open with the old key (the version they record), and viewKeyAt(1) still returns it", async function () {
      const f = await rotated();
      const keys = f.suite.encryptionKeys;
      const [envelope] = await envelopesUnder(f.suite.envelopeBoard, f.commitment);
      const entry = envelope.recipients.find((r) => r.id === REGULATOR)!;
      expect(entry.keyVersion).to.equal(1);
      expect(openAndVerify(envelope, f.commitment, REGULATOR, KEYS.view1.privateKey)).to.deep.equal(TRADE_TERMS);
      expect(() => openEnvelope(envelope, REGULATOR, KEYS.view2.privateKey)).to.throw(EnvelopeError, "does not open");
      expect(await keys.viewKeyAt(entry.keyVersion)).to.equal(publicKeyOf(KEYS.view1.privateKey));
      expect(await keys.viewKeyAt(1)).to.equal(KEYS.view1.publicKey);
      expect(await keys.viewKey()).to.deep.equal([KEYS.view2.publicKey, 2n]);
    });
  });
});
