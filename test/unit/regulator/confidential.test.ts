/*
 * The flow around envelopes (tasks/lib/confidential.ts): who an envelope is sealed for (read from EncryptionKeys),
 * posting it on the board, a party finding and opening it, and the private keys that open envelopes (encrypted key
 * files and the environment).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "ethers";
import { verifiedPlatform } from "../../fixtures/platform";
import { asPlatform } from "./asPlatform";
import {
  loadPrivateKey,
  loadPrivateKeys,
  newKeyFile,
  openPosted,
  PASSWORD_ENV,
  publicKeyOfFile,
  readersOf,
  REGULATOR_READER,
  sealAndPost,
  VIEW_KEY_ENV,
} from "../../../tasks/lib/confidential";
import { encodeEnvelope, newEncryptionKey, publicKeyOf } from "../../../tasks/lib/envelope";
import { publishEntityKey, rotateViewKey } from "../../../tasks/lib/regulator";

const KEY_X = newEncryptionKey();
const KEY_Y = newEncryptionKey();
const VIEW = newEncryptionKey();
const TERMS = { invoice: "INV-7", price: "1,180,000.00" };

/** Enterprise X and Y have published their keys, the regulator its view key. */
async function keyedPlatform() {
  const { accounts, suite } = await loadFixture(verifiedPlatform);
  await publishEntityKey(asPlatform(suite, accounts.enterpriseX), KEY_X.publicKey);
  await publishEntityKey(asPlatform(suite, accounts.enterpriseY), KEY_Y.publicKey);
  await rotateViewKey(asPlatform(suite, accounts.regulator), VIEW.publicKey);
  return { accounts, suite };
}

/** Runs `body` with environment variables set, then restores them. */
async function withEnv<T>(vars: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await body();
  } finally {
    apply(saved);
  }
}

describe("Confidential terms (tasks/lib/confidential.ts)", function () {
  describe("readersOf()", function () {
    it("gives each party's published key under its wallet, and the regulator's current view key", async function () {
      const { accounts, suite } = await loadFixture(keyedPlatform);
      const x = accounts.enterpriseX.address;
      const y = accounts.enterpriseY.address;
      expect(await readersOf(asPlatform(suite, accounts.enterpriseX), [x, y, x.toLowerCase()])).to.deep.equal([
        { id: x, publicKey: KEY_X.publicKey, keyVersion: 1 },
        { id: y, publicKey: KEY_Y.publicKey, keyVersion: 1 },
        { id: REGULATOR_READER, publicKey: VIEW.publicKey, keyVersion: 1 },
      ]);
    });

    describe("when a party has published no key", function () {
      it("refuses in one line naming the wallet and the command that publishes a key", async function () {
        const { accounts, suite } = await loadFixture(keyedPlatform);
        const bankA = accounts.bankA.address;
        await expect(
          readersOf(asPlatform(suite, accounts.enterpriseX), [accounts.enterpriseX.address, bankA]),
        ).to.be.rejectedWith(
          `${bankA} has no envelope key: its entity publishes one first (npx hardhat keys publish --key-file <file> ` +
            `--from ${bankA})`,
        );
      });
    });

    describe("when the regulator has published no view key", function () {
      it("refuses in one line", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        await publishEntityKey(asPlatform(suite, accounts.enterpriseX), KEY_X.publicKey);
        await expect(
          readersOf(asPlatform(suite, accounts.enterpriseX), [accounts.enterpriseX.address]),
        ).to.be.rejectedWith(/^the regulator has published no view key yet \(npx hardhat regulator rotate-key/);
      });
    });
  });

  describe("sealAndPost() and openPosted()", function () {
    it("posts the envelope under its commitment; each party and the regulator open it with their own key", async function () {
      const { accounts, suite } = await loadFixture(keyedPlatform);
      const x = accounts.enterpriseX.address;
      const sealed = await sealAndPost(asPlatform(suite, accounts.enterpriseX), TERMS, [
        x,
        accounts.enterpriseY.address,
      ]);
      expect(sealed.tx).to.match(/^0x[0-9a-f]{64}$/);
      const board = suite.envelopeBoard;
      for (const [id, key] of [
        [x, KEY_X.privateKey],
        [accounts.enterpriseY.address, KEY_Y.privateKey],
        [REGULATOR_READER, VIEW.privateKey],
      ]) {
        const opened = await openPosted(board, sealed.commitment, id, key);
        expect(opened.terms).to.deep.equal(TERMS);
        expect(opened.posted).to.include({ poster: x, commitment: sealed.commitment });
        expect(opened.mismatches).to.deep.equal([]);
      }
      await expect(openPosted(board, sealed.commitment, accounts.bankA.address, KEY_X.privateKey)).to.be.rejectedWith(
        `none of the 1 envelopes under ${sealed.commitment} opens for ${accounts.bankA.address}: block `,
      );
    });

    describe("when another envelope is posted under the same commitment", function () {
      it("keeps the one that matches the commitment and reports the other as a mismatch", async function () {
        const { accounts, suite } = await loadFixture(keyedPlatform);
        const y = asPlatform(suite, accounts.enterpriseY);
        const genuine = await sealAndPost(y, TERMS, [accounts.enterpriseX.address]);
        const other = await sealAndPost(y, { invoice: "INV-7", price: "1.00" }, [accounts.enterpriseX.address]);
        await (
          await suite.envelopeBoard
            .connect(accounts.enterpriseY)
            .post(genuine.commitment, encodeEnvelope(other.envelope))
        ).wait();
        const opened = await openPosted(suite.envelopeBoard, genuine.commitment, REGULATOR_READER, VIEW.privateKey);
        expect(opened.terms).to.deep.equal(TERMS);
        expect(opened.mismatches.map((m) => m.check.status)).to.deep.equal(["mismatch"]);
      });
    });

    describe("when nothing is posted under the commitment", function () {
      it("refuses in one line", async function () {
        const { suite } = await loadFixture(keyedPlatform);
        const commitment = ethers.id("nothing here");
        await expect(openPosted(suite.envelopeBoard, commitment, REGULATOR_READER, VIEW.privateKey)).to.be.rejectedWith(
          `no envelope is posted under commitment ${commitment}`,
        );
      });
    });
  });

  describe("key files and keys in the environment", function () {
    let tmp: string;
    before(function () {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keys-"));
    });
    after(function () {
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("newKeyFile() writes an encrypted keystore readable by its owner only, never over an existing file", async function () {
      const file = path.join(tmp, "view.json");
      await withEnv({ [PASSWORD_ENV]: "correct horse" }, async () => {
        const { publicKey } = await newKeyFile(file);
        expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
        expect(ethers.isKeystoreJson(fs.readFileSync(file, "utf8"))).to.equal(true);
        expect(await publicKeyOfFile(file)).to.equal(publicKey);
        const privateKey = await loadPrivateKey({ keyFile: file });
        expect(publicKeyOf(privateKey)).to.equal(publicKey);
        expect(fs.readFileSync(file, "utf8")).to.not.include(privateKey.slice(2));
        await expect(newKeyFile(file)).to.be.rejectedWith(`${file} exists: a key file is never overwritten`);
      });
      await withEnv({ [PASSWORD_ENV]: "wrong" }, async () => {
        await expect(loadPrivateKey({ keyFile: file })).to.be.rejectedWith(
          `the key file ${file} does not open with the password in ${PASSWORD_ENV}`,
        );
      });
      await withEnv({ [PASSWORD_ENV]: undefined }, async () => {
        await expect(loadPrivateKey({ keyFile: file })).to.be.rejectedWith(
          `set ${PASSWORD_ENV} to the key file's password`,
        );
      });
    });

    it("loadPrivateKeys() reads comma-separated hex keys from BILL_DVP_VIEW_KEY, and refuses a malformed one", async function () {
      const other = newEncryptionKey();
      await withEnv({ [VIEW_KEY_ENV]: `${VIEW.privateKey}, ${other.privateKey.slice(2)}` }, async () => {
        expect(await loadPrivateKeys({})).to.deep.equal([VIEW.privateKey, other.privateKey]);
      });
      await withEnv({ [VIEW_KEY_ENV]: "0x1234" }, async () => {
        await expect(loadPrivateKeys({})).to.be.rejectedWith(`entry 1 of ${VIEW_KEY_ENV} is not a private key`);
      });
      await withEnv({ [VIEW_KEY_ENV]: undefined }, async () => {
        await expect(loadPrivateKeys({})).to.be.rejectedWith(`give --key-file <keystore>, or set ${VIEW_KEY_ENV}`);
      });
    });
  });
});
