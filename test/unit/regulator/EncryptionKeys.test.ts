/*
 * EncryptionKeys: entities publish their envelope keys, the regulator rotates its view key; and an envelope sealed
 * for the keys read from the chain opens with each reader's private key (checklist 37 and 38 with on-chain keys).
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "ethers";
import { verifiedPlatform, CODES, entityIdOf } from "../../fixtures/platform";
import { newEncryptionKey, openAndVerify, sealEnvelope } from "../../../tasks/lib/envelope";

const KEY_A = newEncryptionKey();
const KEY_B = newEncryptionKey();
const VIEW_1 = newEncryptionKey();
const VIEW_2 = newEncryptionKey();

describe("EncryptionKeys", function () {
  it("a verified wallet publishes its entity's key; versions count up; every wallet of the entity reads it", async function () {
    const { accounts, suite } = await loadFixture(verifiedPlatform);
    const keys = suite.encryptionKeys;
    const entityId = entityIdOf(CODES.enterpriseX);
    await expect(keys.connect(accounts.enterpriseX).setEntityKey(KEY_A.publicKey))
      .to.emit(keys, "EntityKeySet")
      .withArgs(entityId, 1, KEY_A.publicKey, accounts.enterpriseX.address);
    expect(await keys.entityKey(entityId)).to.deep.equal([KEY_A.publicKey, 1n]);
    await (await keys.connect(accounts.enterpriseX).setEntityKey(KEY_B.publicKey)).wait();
    expect(await keys.keyOf(accounts.enterpriseX.address)).to.deep.equal([KEY_B.publicKey, 2n]);
    const second = accounts.extra[0];
    await (await suite.identityRegistry.connect(accounts.bankA).linkWallet(entityId, second.address)).wait();
    expect(await keys.keyOf(second.address)).to.deep.equal([KEY_B.publicKey, 2n]);
  });

  it("refuses an unverified wallet (KeysUnverifiedWallet) and a malformed key (KeysInvalidPublicKey)", async function () {
    const { accounts, suite } = await loadFixture(verifiedPlatform);
    const keys = suite.encryptionKeys;
    await expect(keys.connect(accounts.outsider).setEntityKey(KEY_A.publicKey))
      .to.be.revertedWithCustomError(keys, "KeysUnverifiedWallet")
      .withArgs(accounts.outsider.address);
    const uncompressed = ethers.SigningKey.computePublicKey(ethers.Wallet.createRandom().privateKey, false);
    for (const bad of ["0x", ethers.dataSlice(KEY_A.publicKey, 1), uncompressed, "0x04" + KEY_A.publicKey.slice(4)]) {
      await expect(keys.connect(accounts.enterpriseX).setEntityKey(bad)).to.be.revertedWithCustomError(
        keys,
        "KeysInvalidPublicKey",
      );
    }
    await expect(keys.entityKey(entityIdOf(CODES.enterpriseX)))
      .to.be.revertedWithCustomError(keys, "KeysNoEntityKey")
      .withArgs(entityIdOf(CODES.enterpriseX));
  });

  it("refuses an entity key to the regulator and to system accounts (KeysNotATrader)", async function () {
    const { accounts, suite } = await loadFixture(verifiedPlatform);
    const keys = suite.encryptionKeys;
    await expect(keys.connect(accounts.regulator).setEntityKey(KEY_A.publicKey))
      .to.be.revertedWithCustomError(keys, "KeysNotATrader")
      .withArgs(accounts.regulator.address);
    // The engine is a registered system account: a call from its address (eth_call lets any sender be named).
    const engine = await suite.settlementEngine.getAddress();
    const data = keys.interface.encodeFunctionData("setEntityKey", [KEY_A.publicKey]);
    await expect(hre.ethers.provider.call({ from: engine, to: await keys.getAddress(), data }))
      .to.be.revertedWithCustomError(keys, "KeysNotATrader")
      .withArgs(engine);
  });

  it("keyOf names the wallet, never its entity, when the entity has no key (KeysNoWalletKey)", async function () {
    const { accounts, suite } = await loadFixture(verifiedPlatform);
    const keys = suite.encryptionKeys;
    for (const wallet of [accounts.enterpriseY.address, accounts.outsider.address]) {
      await expect(keys.keyOf(wallet)).to.be.revertedWithCustomError(keys, "KeysNoWalletKey").withArgs(wallet);
    }
  });

  it("the regulator rotates the view key; past versions stay readable; nobody else may rotate it", async function () {
    const { accounts, suite } = await loadFixture(verifiedPlatform);
    const keys = suite.encryptionKeys;
    await expect(keys.viewKey()).to.be.revertedWithCustomError(keys, "KeysUnknownViewKey").withArgs(0);
    await expect(keys.connect(accounts.regulator).rotateViewKey(VIEW_1.publicKey))
      .to.emit(keys, "ViewKeyRotated")
      .withArgs(1, VIEW_1.publicKey, accounts.regulator.address);
    await (await keys.connect(accounts.regulator).rotateViewKey(VIEW_2.publicKey)).wait();
    expect(await keys.viewKey()).to.deep.equal([VIEW_2.publicKey, 2n]);
    expect(await keys.viewKeyAt(1)).to.equal(VIEW_1.publicKey);
    await expect(keys.viewKeyAt(3)).to.be.revertedWithCustomError(keys, "KeysUnknownViewKey").withArgs(3);
    const role = await keys.REGULATOR_ROLE();
    for (const caller of [accounts.admin, accounts.bankA, accounts.outsider]) {
      await expect(keys.connect(caller).rotateViewKey(VIEW_1.publicKey))
        .to.be.revertedWithCustomError(keys, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, role);
    }
  });

  it("the regulator holds no other role and cannot grant itself one", async function () {
    const { accounts, suite } = await loadFixture(verifiedPlatform);
    const keys = suite.encryptionKeys;
    expect(await keys.hasRole(await keys.DEFAULT_ADMIN_ROLE(), accounts.regulator.address)).to.equal(false);
    const admin = await keys.DEFAULT_ADMIN_ROLE();
    await expect(keys.connect(accounts.regulator).grantRole(await keys.REGULATOR_ROLE(), accounts.bankA))
      .to.be.revertedWithCustomError(keys, "AccessControlUnauthorizedAccount")
      .withArgs(accounts.regulator.address, admin);
    await expect(keys.connect(accounts.regulator).beginDefaultAdminTransfer(accounts.regulator))
      .to.be.revertedWithCustomError(keys, "AccessControlUnauthorizedAccount")
      .withArgs(accounts.regulator.address, admin);
  });

  it("an envelope sealed for the keys on chain opens with each party's and the regulator's private key", async function () {
    const { accounts, suite } = await loadFixture(verifiedPlatform);
    const keys = suite.encryptionKeys;
    await (await keys.connect(accounts.enterpriseX).setEntityKey(KEY_A.publicKey)).wait();
    await (await keys.connect(accounts.bankB).setEntityKey(KEY_B.publicKey)).wait();
    await (await keys.connect(accounts.regulator).rotateViewKey(VIEW_1.publicKey)).wait();
    const [xKey, xVersion] = await keys.keyOf(accounts.enterpriseX.address);
    const [bKey, bVersion] = await keys.keyOf(accounts.bankB.address);
    const [viewKey, viewVersion] = await keys.viewKey();
    const terms = { invoice: "044031900111", note: "discount agreed by phone" };
    const { envelope, commitment } = sealEnvelope(terms, [
      { id: accounts.enterpriseX.address, publicKey: xKey, keyVersion: Number(xVersion) },
      { id: accounts.bankB.address, publicKey: bKey, keyVersion: Number(bVersion) },
      { id: "regulator", publicKey: viewKey, keyVersion: Number(viewVersion) },
    ]);
    expect(openAndVerify(envelope, commitment, accounts.enterpriseX.address, KEY_A.privateKey)).to.deep.equal(terms);
    expect(openAndVerify(envelope, commitment, accounts.bankB.address, KEY_B.privateKey)).to.deep.equal(terms);
    expect(openAndVerify(envelope, commitment, "regulator", VIEW_1.privateKey)).to.deep.equal(terms);
  });
});
