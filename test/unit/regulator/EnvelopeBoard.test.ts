/*
 * EnvelopeBoard: where parties post the sealed envelopes of their confidential terms (issue 5). The board stores
 * nothing; the envelope travels in the EnvelopePosted event, under its commitment.
 *
 * Checklist lines touched: 5 (the regulator, a system account and an unverified wallet cannot post:
 * EnvelopeInvalidPoster), 18 (zero commitment, empty envelope), 37 (the envelope is what the readers open; its
 * commitment is checked by them, so several envelopes may be posted under one commitment).
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "ethers";
import { CODES, entityIdOf, verifiedPlatform } from "../../fixtures/platform";
import { decodeEnvelope, encodeEnvelope, newEncryptionKey, sealEnvelope } from "../../../tasks/lib/envelope";

const MAX = 16_384;

/** A sealed envelope for enterprise X and bank B, as bytes, and its commitment. */
async function sealedForXAndB() {
  const f = await loadFixture(verifiedPlatform);
  const sealed = sealEnvelope({ invoice: "044031900111", note: "price agreed by phone" }, [
    { id: f.accounts.enterpriseX.address, publicKey: newEncryptionKey().publicKey, keyVersion: 1 },
    { id: f.accounts.bankB.address, publicKey: newEncryptionKey().publicKey, keyVersion: 1 },
  ]);
  return { ...f, commitment: sealed.commitment, envelope: encodeEnvelope(sealed.envelope) };
}

describe("EnvelopeBoard", function () {
  describe(".post()", function () {
    describe("when a verified trader posts", function () {
      it("emits EnvelopePosted with the commitment, the poster and the envelope's bytes", async function () {
        const { accounts, suite, commitment, envelope } = await sealedForXAndB();
        const board = suite.envelopeBoard.connect(accounts.enterpriseX);
        await expect(board.post(commitment, envelope))
          .to.emit(board, "EnvelopePosted")
          .withArgs(commitment, accounts.enterpriseX.address, envelope);
        const [event] = await board.queryFilter(board.filters.EnvelopePosted(commitment));
        expect(decodeEnvelope(event.args.envelope).ciphertext).to.equal(decodeEnvelope(envelope).ciphertext);
      });

      it("accepts an envelope of exactly MAX_ENVELOPE_LENGTH (16,384) bytes", async function () {
        const { accounts, suite, commitment } = await sealedForXAndB();
        const board = suite.envelopeBoard.connect(accounts.bankB);
        expect(await board.MAX_ENVELOPE_LENGTH()).to.equal(BigInt(MAX));
        const longest = ethers.hexlify(new Uint8Array(MAX).fill(0x7b));
        await expect(board.post(commitment, longest))
          .to.emit(board, "EnvelopePosted")
          .withArgs(commitment, accounts.bankB.address, longest);
      });

      it("accepts several envelopes under one commitment (readers keep the one that opens to it)", async function () {
        const { accounts, suite, commitment, envelope } = await sealedForXAndB();
        const board = suite.envelopeBoard;
        const other = encodeEnvelope(
          sealEnvelope({ note: "another payload" }, [
            { id: accounts.bankA.address, publicKey: newEncryptionKey().publicKey, keyVersion: 1 },
          ]).envelope,
        );
        await (await board.connect(accounts.enterpriseX).post(commitment, envelope)).wait();
        await (await board.connect(accounts.bankB).post(commitment, envelope)).wait();
        await (await board.connect(accounts.bankA).post(commitment, other)).wait();
        const posted = await board.queryFilter(board.filters.EnvelopePosted(commitment));
        expect(posted.map((e) => [e.args.poster, e.args.envelope])).to.deep.equal([
          [accounts.enterpriseX.address, envelope],
          [accounts.bankB.address, envelope],
          [accounts.bankA.address, other],
        ]);
      });

      it("stores nothing: the board's storage is untouched by a post", async function () {
        const { accounts, suite, commitment, envelope } = await sealedForXAndB();
        const board = suite.envelopeBoard.connect(accounts.enterpriseX);
        const receipt = await (await board.post(commitment, envelope)).wait();
        const trace = await hre.network.provider.send("debug_traceTransaction", [receipt!.hash]);
        const stores = (trace.structLogs as { op: string }[]).filter((l) => l.op === "SSTORE");
        expect(stores).to.have.length(0);
      });
    });

    describe("when the poster is not a verified trader", function () {
      it("refuses an unverified wallet, a regulator wallet and a system account: EnvelopeInvalidPoster(poster)", async function () {
        const { accounts, suite, commitment, envelope } = await sealedForXAndB();
        const board = suite.envelopeBoard;
        for (const poster of [accounts.outsider, accounts.regulator]) {
          await expect(board.connect(poster).post(commitment, envelope))
            .to.be.revertedWithCustomError(board, "EnvelopeInvalidPoster")
            .withArgs(poster.address);
        }
        // The engine is a system account in the registry: a call from its address is refused too.
        const engine = await suite.settlementEngine.getAddress();
        await expect(
          board.connect(new ethers.VoidSigner(engine, hre.ethers.provider)).post.staticCall(commitment, envelope),
        )
          .to.be.revertedWithCustomError(board, "EnvelopeInvalidPoster")
          .withArgs(engine);
      });

      it("refuses a trader whose entity is suspended: EnvelopeInvalidPoster(poster)", async function () {
        const { accounts, suite, commitment, envelope } = await sealedForXAndB();
        await (
          await suite.identityRegistry.connect(accounts.bankA).suspendEntity(entityIdOf(CODES.enterpriseX))
        ).wait();
        await expect(suite.envelopeBoard.connect(accounts.enterpriseX).post(commitment, envelope))
          .to.be.revertedWithCustomError(suite.envelopeBoard, "EnvelopeInvalidPoster")
          .withArgs(accounts.enterpriseX.address);
      });
    });

    describe("when the commitment or the envelope is invalid", function () {
      it("refuses a zero commitment: EnvelopeZeroCommitment()", async function () {
        const { accounts, suite, envelope } = await sealedForXAndB();
        const board = suite.envelopeBoard.connect(accounts.enterpriseX);
        await expect(board.post(ethers.ZeroHash, envelope)).to.be.revertedWithCustomError(
          board,
          "EnvelopeZeroCommitment",
        );
      });

      it("refuses an empty envelope: EnvelopeInvalidLength(0, 16384)", async function () {
        const { accounts, suite, commitment } = await sealedForXAndB();
        const board = suite.envelopeBoard.connect(accounts.enterpriseX);
        await expect(board.post(commitment, "0x"))
          .to.be.revertedWithCustomError(board, "EnvelopeInvalidLength")
          .withArgs(0, MAX);
      });

      it("refuses an envelope one byte too long: EnvelopeInvalidLength(16385, 16384)", async function () {
        const { accounts, suite, commitment } = await sealedForXAndB();
        const board = suite.envelopeBoard.connect(accounts.enterpriseX);
        await expect(board.post(commitment, ethers.hexlify(new Uint8Array(MAX + 1).fill(0x7b))))
          .to.be.revertedWithCustomError(board, "EnvelopeInvalidLength")
          .withArgs(MAX + 1, MAX);
      });
    });
  });

  describe("deployment", function () {
    it("reads its posters from the platform's registry and refuses a zero registry: EnvelopeInvalidPoster(0)", async function () {
      const { suite } = await loadFixture(verifiedPlatform);
      expect(await suite.envelopeBoard.identityRegistry()).to.equal(await suite.identityRegistry.getAddress());
      const factory = await hre.ethers.getContractFactory("EnvelopeBoard");
      await expect(factory.deploy(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(suite.envelopeBoard, "EnvelopeInvalidPoster")
        .withArgs(ethers.ZeroAddress);
    });
  });
});
