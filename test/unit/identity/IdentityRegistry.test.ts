import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { IdentityRegistry } from "../../../typechain-types";
import {
  ADMIN_DELAY,
  CODES,
  deployedPlatform,
  entityIdOf,
  verifiedPlatform,
  asRegulator,
} from "../../fixtures/platform";
import { EntityKind, EntityStatus, jurisdictionToBytes32, registerEntity } from "../../../tasks/lib/identity";

/*
 * Time convention (checklist line 20). An entity's wallets are verified while `block.timestamp < expiresAt`.
 * - Transactions: the block timestamp is pinned with `time.setNextBlockTimestamp(t)` before the transaction.
 * - Views (`isVerified`, `kindsIfVerified`, `identityOf`): Hardhat runs `eth_call` against the latest block, so its
 *   `block.timestamp` is the latest block's. A view "at t" is therefore read after `time.increaseTo(t)`, which mines
 *   a block stamped exactly t.
 * Every edge is checked at expiresAt − 1 s, exactly expiresAt, and expiresAt + 1 s.
 */

const CN = jurisdictionToBytes32("CN");
const CN_SH = jurisdictionToBytes32("CN-SH");
const MAX_WALLETS = 20n;
/** How long entity Z of the local fixtures stays verified, in seconds. */
const LIFETIME = 1_000n;

const CODE_Z = "91110108MA01ZZZZZ3";
const CODE_NEW = "91120116MA05NNNNN4";
const ID_Z = entityIdOf(CODE_Z);
const ID_NEW = entityIdOf(CODE_NEW);
const ID_X = entityIdOf(CODES.enterpriseX);
const ID_Y = entityIdOf(CODES.enterpriseY);
const UNKNOWN_ID = entityIdOf("91000000000000000U");

/** The entities of `verifiedPlatform`, in registration order. */
const FIXTURE_IDS = [
  CODES.centralBank,
  CODES.bankB,
  CODES.enterpriseX,
  CODES.regulator,
  CODES.bankA,
  CODES.enterpriseY,
].map(entityIdOf);

/** A deterministic address nobody holds a key for: wallets only need to be addresses. */
function walletAddress(label: string): string {
  return hre.ethers.getAddress(hre.ethers.dataSlice(hre.ethers.id(`identity-test-wallet:${label}`), 12));
}

function walletAddresses(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => walletAddress(`${prefix}-${i}`));
}

async function now(): Promise<bigint> {
  return BigInt(await time.latest());
}

/** The full record and wallet list of an entity, to compare before and after a refused act. */
async function entityState(registry: IdentityRegistry, entityId: string): Promise<string> {
  const record = await asRegulator(registry).entity(entityId);
  const wallets = await asRegulator(registry).walletsOf(entityId);
  return JSON.stringify([...record, ...wallets], (_key, value) =>
    typeof value === "bigint" ? value.toString() : value,
  );
}

async function expectVerified(registry: IdentityRegistry, wallets: string[], kind: EntityKind): Promise<void> {
  for (const wallet of wallets) {
    expect(await registry.isVerified(wallet), `isVerified(${wallet})`).to.equal(true);
    const [aKind, bKind] = await registry.kindsIfVerified(wallet, wallet);
    expect(aKind).to.equal(kind);
    expect(bKind).to.equal(kind);
    expect((await asRegulator(registry).identityOf(wallet)).verified).to.equal(true);
  }
}

async function expectUnverified(registry: IdentityRegistry, wallets: string[]): Promise<void> {
  for (const wallet of wallets) {
    expect(await registry.isVerified(wallet), `isVerified(${wallet})`).to.equal(false);
    const [aKind, bKind] = await registry.kindsIfVerified(wallet, wallet);
    expect(aKind).to.equal(EntityKind.None);
    expect(bKind).to.equal(EntityKind.None);
    expect((await asRegulator(registry).identityOf(wallet)).verified).to.equal(false);
  }
}

/** Verified platform plus enterprise Z, verified by bank A in "CN-SH" for LIFETIME seconds, with three wallets. */
async function entityZWithThreeWallets() {
  const { accounts, suite } = await loadFixture(verifiedPlatform);
  const expiresAt = (await now()) + LIFETIME;
  const wallets = accounts.extra.slice(0, 3).map((signer) => signer.address);
  await registerEntity(suite.identityRegistry.connect(accounts.bankA), {
    code: CODE_Z,
    kind: EntityKind.Enterprise,
    jurisdiction: "CN-SH",
    expiresAt,
    wallets,
  });
  return { accounts, suite, expiresAt, wallets };
}

/** Entity Z as above, then suspended by bank A. */
async function entityZSuspended() {
  const fixture = await loadFixture(entityZWithThreeWallets);
  const { accounts, suite } = fixture;
  await (await suite.identityRegistry.connect(accounts.bankA).suspendEntity(ID_Z)).wait();
  return fixture;
}

/** Entity Z as above, then revoked by the admin. */
async function entityZRevoked() {
  const fixture = await loadFixture(entityZWithThreeWallets);
  const { accounts, suite } = fixture;
  await (await suite.identityRegistry.connect(accounts.admin).revokeEntity(ID_Z)).wait();
  return fixture;
}

/** Entity Z with the maximum number of wallets (its three plus 17 more). */
async function entityZFull() {
  const fixture = await loadFixture(entityZWithThreeWallets);
  const { accounts, suite } = fixture;
  const byA = suite.identityRegistry.connect(accounts.bankA);
  for (const wallet of walletAddresses("fill", Number(MAX_WALLETS) - fixture.wallets.length)) {
    await (await byA.linkWallet(ID_Z, wallet)).wait();
  }
  return fixture;
}

/** Verified platform plus a stand-in contract registered as a system account. */
async function withSystemAccount() {
  const { accounts, suite } = await loadFixture(verifiedPlatform);
  const systemContract = await hre.ethers.deployContract("PlainERC20", [0]);
  await systemContract.waitForDeployment();
  const systemAccount = await systemContract.getAddress();
  await (await suite.identityRegistry.connect(accounts.admin).registerSystemAccount(systemAccount)).wait();
  return { accounts, suite, systemAccount };
}

describe("IdentityRegistry", function () {
  describe("constructor", function () {
    describe("when given an admin, a delay and KYC providers", function () {
      it("makes the admin the default admin with that delay", async function () {
        const { accounts, suite } = await loadFixture(deployedPlatform);
        const registry = suite.identityRegistry;
        expect(await registry.defaultAdmin()).to.equal(accounts.admin.address);
        expect(await registry.defaultAdminDelay()).to.equal(ADMIN_DELAY);
        expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), accounts.admin.address)).to.equal(true);
      });

      it("approves exactly the given KYC providers", async function () {
        const { accounts, suite } = await loadFixture(deployedPlatform);
        const registry = suite.identityRegistry;
        const role = await registry.KYC_PROVIDER_ROLE();
        expect(await registry.hasRole(role, accounts.bankA.address)).to.equal(true);
        expect(await registry.hasRole(role, accounts.bankB.address)).to.equal(true);
        expect(await registry.hasRole(role, accounts.admin.address)).to.equal(false);
        expect(await registry.hasRole(role, accounts.regulator.address)).to.equal(false);
      });

      it("starts with no entity", async function () {
        const { suite } = await loadFixture(deployedPlatform);
        expect(await asRegulator(suite.identityRegistry).entityCount()).to.equal(0n);
        expect(await asRegulator(suite.identityRegistry).entityIds(0, 10)).to.have.lengthOf(0);
      });
    });

    describe("when a KYC provider is the zero address", function () {
      it("reverts with IdentityZeroAddress", async function () {
        const { accounts } = await loadFixture(deployedPlatform);
        const factory = await hre.ethers.getContractFactory("IdentityRegistry");
        await expect(
          factory.deploy(ADMIN_DELAY, accounts.admin.address, [accounts.bankA.address, hre.ethers.ZeroAddress]),
        )
          .to.be.revertedWithCustomError(factory, "IdentityZeroAddress")
          .withArgs();
      });
    });

    describe("when the admin is the zero address", function () {
      it("reverts with AccessControlInvalidDefaultAdmin", async function () {
        const { accounts } = await loadFixture(deployedPlatform);
        const factory = await hre.ethers.getContractFactory("IdentityRegistry");
        await expect(factory.deploy(ADMIN_DELAY, hre.ethers.ZeroAddress, [accounts.bankA.address]))
          .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
          .withArgs(hre.ethers.ZeroAddress);
      });
    });
  });

  describe(".registerEntity()", function () {
    describe("when a KYC provider registers a new entity with two wallets", function () {
      async function registerNew() {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const expiresAt = (await now()) + 1_000_000n;
        const wallets = [walletAddress("new-0"), walletAddress("new-1")];
        const tx = await registry
          .connect(accounts.bankA)
          .registerEntity(ID_NEW, EntityKind.FinanceCompany, CN_SH, expiresAt, wallets);
        return { accounts, suite, registry, expiresAt, wallets, tx };
      }

      it("emits EntityRegistered with the caller as provider", async function () {
        const { registry, accounts, expiresAt, tx } = await loadFixture(registerNew);
        await expect(tx)
          .to.emit(registry, "EntityRegistered")
          .withArgs(ID_NEW, EntityKind.FinanceCompany, CN_SH, expiresAt, accounts.bankA.address);
      });

      it("emits WalletLinked for every wallet", async function () {
        const { registry, wallets, tx } = await loadFixture(registerNew);
        await expect(tx)
          .to.emit(registry, "WalletLinked")
          .withArgs(ID_NEW, wallets[0])
          .and.to.emit(registry, "WalletLinked")
          .withArgs(ID_NEW, wallets[1]);
      });

      it("stores the record: kind, Active, expiry, provider, jurisdiction and wallet count", async function () {
        const { registry, accounts, expiresAt } = await loadFixture(registerNew);
        const record = await asRegulator(registry).entity(ID_NEW);
        expect(record.kind).to.equal(EntityKind.FinanceCompany);
        expect(record.status).to.equal(EntityStatus.Active);
        expect(record.expiresAt).to.equal(expiresAt);
        expect(record.provider).to.equal(accounts.bankA.address);
        expect(record.jurisdiction).to.equal(CN_SH);
        expect(record.walletCount).to.equal(2n);
      });

      it("lists the wallets in the order given", async function () {
        const { registry, wallets } = await loadFixture(registerNew);
        expect([...(await asRegulator(registry).walletsOf(ID_NEW))]).to.deep.equal(wallets);
      });

      it("verifies every wallet at once with the entity's kind", async function () {
        const { registry, wallets } = await loadFixture(registerNew);
        await expectVerified(registry, wallets, EntityKind.FinanceCompany);
        const identity = await asRegulator(registry).identityOf(wallets[1]);
        expect(identity.entityId).to.equal(ID_NEW);
        expect(identity.kind).to.equal(EntityKind.FinanceCompany);
      });

      it("appends the id to the entity list", async function () {
        const { registry } = await loadFixture(registerNew);
        expect(await asRegulator(registry).entityCount()).to.equal(BigInt(FIXTURE_IDS.length + 1));
        expect([...(await asRegulator(registry).entityIds(FIXTURE_IDS.length, 1))]).to.deep.equal([ID_NEW]);
      });
    });

    describe("when no wallet is given", function () {
      it("registers the entity with none, to be linked later", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const expiresAt = (await now()) + 1_000n;
        await expect(registry.connect(accounts.bankB).registerEntity(ID_NEW, EntityKind.Enterprise, CN, expiresAt, []))
          .to.emit(registry, "EntityRegistered")
          .withArgs(ID_NEW, EntityKind.Enterprise, CN, expiresAt, accounts.bankB.address)
          .and.not.to.emit(registry, "WalletLinked");
        expect((await asRegulator(registry).entity(ID_NEW)).walletCount).to.equal(0n);
        expect(await asRegulator(registry).walletsOf(ID_NEW)).to.have.lengthOf(0);
      });
    });

    describe("when the maximum number of wallets is given", function () {
      it("links all of them", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const wallets = walletAddresses("max", Number(MAX_WALLETS));
        await registry
          .connect(accounts.bankA)
          .registerEntity(ID_NEW, EntityKind.Enterprise, CN, (await now()) + 1_000n, wallets);
        expect(await registry.MAX_WALLETS_PER_ENTITY()).to.equal(MAX_WALLETS);
        expect((await asRegulator(registry).entity(ID_NEW)).walletCount).to.equal(MAX_WALLETS);
        expect(await registry.isVerified(wallets[wallets.length - 1])).to.equal(true);
      });
    });

    describe("when one wallet more than the maximum is given", function () {
      it("reverts with IdentityTooManyWallets and registers nothing", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const wallets = walletAddresses("max", Number(MAX_WALLETS) + 1);
        await expect(
          registry
            .connect(accounts.bankA)
            .registerEntity(ID_NEW, EntityKind.Enterprise, CN, (await now()) + 1_000n, wallets),
        )
          .to.be.revertedWithCustomError(registry, "IdentityTooManyWallets")
          .withArgs(ID_NEW, MAX_WALLETS);
        expect(await asRegulator(registry).entityCount()).to.equal(BigInt(FIXTURE_IDS.length));
        expect(await registry.isVerified(wallets[0])).to.equal(false);
      });
    });

    describe("when the entity id is zero", function () {
      it("reverts with IdentityZeroEntityId", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(
          registry
            .connect(accounts.bankA)
            .registerEntity(hre.ethers.ZeroHash, EntityKind.Enterprise, CN, (await now()) + 1_000n, [
              walletAddress("z"),
            ]),
        )
          .to.be.revertedWithCustomError(registry, "IdentityZeroEntityId")
          .withArgs();
      });
    });

    for (const kind of [EntityKind.None, EntityKind.System]) {
      describe(`when the kind is ${EntityKind[kind]}`, function () {
        it("reverts with IdentityInvalidKind", async function () {
          const { accounts, suite } = await loadFixture(verifiedPlatform);
          const registry = suite.identityRegistry;
          await expect(
            registry
              .connect(accounts.bankA)
              .registerEntity(ID_NEW, kind, CN, (await now()) + 1_000n, [walletAddress("k")]),
          )
            .to.be.revertedWithCustomError(registry, "IdentityInvalidKind")
            .withArgs(kind);
          expect(await asRegulator(registry).entityCount()).to.equal(BigInt(FIXTURE_IDS.length));
        });
      });
    }

    describe("when the entity is already registered", function () {
      for (const [who, provider] of [
        ["the same provider", "bankA"],
        ["a different provider", "bankB"],
      ] as const) {
        describe(`and ${who} registers it again`, function () {
          it("reverts with IdentityEntityExists and leaves the record unchanged", async function () {
            const { accounts, suite } = await loadFixture(verifiedPlatform);
            const registry = suite.identityRegistry;
            const before = await entityState(registry, ID_X);
            await expect(
              registry
                .connect(accounts[provider])
                .registerEntity(ID_X, EntityKind.Bank, CN_SH, (await now()) + 10n * LIFETIME, [walletAddress("dup")]),
            )
              .to.be.revertedWithCustomError(registry, "IdentityEntityExists")
              .withArgs(ID_X);
            expect(await entityState(registry, ID_X)).to.equal(before);
            expect(await asRegulator(registry).entityCount()).to.equal(BigInt(FIXTURE_IDS.length));
          });
        });
      }
    });

    describe("when the expiry is in the past", function () {
      it("reverts with IdentityExpiryNotInFuture naming the expiry and the block time", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const blockTime = (await now()) + 100n;
        const expiresAt = blockTime - 50n;
        await time.setNextBlockTimestamp(blockTime);
        await expect(registry.connect(accounts.bankA).registerEntity(ID_NEW, EntityKind.Enterprise, CN, expiresAt, []))
          .to.be.revertedWithCustomError(registry, "IdentityExpiryNotInFuture")
          .withArgs(expiresAt, blockTime);
      });
    });

    describe("when the expiry equals the block's timestamp", function () {
      it("reverts with IdentityExpiryNotInFuture", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const blockTime = (await now()) + 100n;
        await time.setNextBlockTimestamp(blockTime);
        await expect(registry.connect(accounts.bankA).registerEntity(ID_NEW, EntityKind.Enterprise, CN, blockTime, []))
          .to.be.revertedWithCustomError(registry, "IdentityExpiryNotInFuture")
          .withArgs(blockTime, blockTime);
        await expect(asRegulator(registry).entity(ID_NEW))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownEntity")
          .withArgs(ID_NEW);
      });
    });

    describe("when the expiry is one second after the block's timestamp", function () {
      it("registers the entity", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const blockTime = (await now()) + 100n;
        await time.setNextBlockTimestamp(blockTime);
        await expect(
          registry.connect(accounts.bankA).registerEntity(ID_NEW, EntityKind.Enterprise, CN, blockTime + 1n, []),
        ).to.emit(registry, "EntityRegistered");
        expect((await asRegulator(registry).entity(ID_NEW)).expiresAt).to.equal(blockTime + 1n);
      });
    });

    describe("when a wallet is the zero address", function () {
      it("reverts with IdentityZeroAddress and registers nothing", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const good = walletAddress("good");
        await expect(
          registry
            .connect(accounts.bankA)
            .registerEntity(ID_NEW, EntityKind.Enterprise, CN, (await now()) + 1_000n, [good, hre.ethers.ZeroAddress]),
        )
          .to.be.revertedWithCustomError(registry, "IdentityZeroAddress")
          .withArgs();
        await expect(asRegulator(registry).entity(ID_NEW))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownEntity")
          .withArgs(ID_NEW);
        expect(await registry.isVerified(good)).to.equal(false);
      });
    });

    describe("when a wallet is the provider's own", function () {
      it("reverts with IdentitySelfVerification", async function () {
        const { accounts, suite } = await loadFixture(deployedPlatform);
        const registry = suite.identityRegistry;
        await expect(
          registry
            .connect(accounts.bankA)
            .registerEntity(ID_NEW, EntityKind.Bank, CN, (await now()) + 1_000n, [accounts.bankA.address]),
        )
          .to.be.revertedWithCustomError(registry, "IdentitySelfVerification")
          .withArgs(accounts.bankA.address);
        expect(await registry.isVerified(accounts.bankA.address)).to.equal(false);
      });
    });

    describe("when a wallet is already linked to another entity", function () {
      it("reverts with IdentityWalletLinked and leaves the wallet with its entity", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(
          registry
            .connect(accounts.bankB)
            .registerEntity(ID_NEW, EntityKind.Enterprise, CN, (await now()) + 1_000n, [accounts.enterpriseX.address]),
        )
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(accounts.enterpriseX.address);
        expect((await asRegulator(registry).identityOf(accounts.enterpriseX.address)).entityId).to.equal(ID_X);
      });
    });

    describe("when the same wallet is listed twice", function () {
      it("reverts with IdentityWalletLinked", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const wallet = walletAddress("twice");
        await expect(
          registry
            .connect(accounts.bankA)
            .registerEntity(ID_NEW, EntityKind.Enterprise, CN, (await now()) + 1_000n, [wallet, wallet]),
        )
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(wallet);
      });
    });

    describe("when a wallet is a system account", function () {
      it("reverts with IdentityWalletLinked", async function () {
        const { accounts, suite, systemAccount } = await loadFixture(withSystemAccount);
        const registry = suite.identityRegistry;
        await expect(
          registry
            .connect(accounts.bankA)
            .registerEntity(ID_NEW, EntityKind.Enterprise, CN, (await now()) + 1_000n, [systemAccount]),
        )
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(systemAccount);
        expect((await asRegulator(registry).identityOf(systemAccount)).kind).to.equal(EntityKind.System);
      });
    });

    describe("when the caller is not a KYC provider, even the admin", function () {
      it("reverts with AccessControlUnauthorizedAccount", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(
          registry
            .connect(accounts.admin)
            .registerEntity(ID_NEW, EntityKind.Enterprise, CN, (await now()) + 1_000n, [walletAddress("a")]),
        )
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.admin.address, await registry.KYC_PROVIDER_ROLE());
      });
    });
  });

  describe(".renewEntity()", function () {
    describe("when the provider extends an entity's verification", function () {
      it("emits EntityRenewed and stores the new expiry", async function () {
        const { accounts, suite, expiresAt } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        const newExpiry = expiresAt + 10n * LIFETIME;
        await expect(registry.connect(accounts.bankA).renewEntity(ID_Z, newExpiry))
          .to.emit(registry, "EntityRenewed")
          .withArgs(ID_Z, newExpiry);
        const record = await asRegulator(registry).entity(ID_Z);
        expect(record.expiresAt).to.equal(newExpiry);
        expect(record.status).to.equal(EntityStatus.Active);
      });

      it("keeps every wallet verified past the old expiry", async function () {
        const { accounts, suite, expiresAt, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await registry.connect(accounts.bankA).renewEntity(ID_Z, expiresAt + LIFETIME);
        await time.increaseTo(expiresAt);
        await expectVerified(registry, wallets, EntityKind.Enterprise);
      });
    });

    describe("when the entity has already expired", function () {
      it("verifies every wallet again at once", async function () {
        const { accounts, suite, expiresAt, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await time.increaseTo(expiresAt + 1n);
        await expectUnverified(registry, wallets);
        await registry.connect(accounts.bankA).renewEntity(ID_Z, expiresAt + LIFETIME);
        await expectVerified(registry, wallets, EntityKind.Enterprise);
      });
    });

    describe("when the provider shortens the verification", function () {
      it("ends the verification of every wallet at the earlier time", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        const shorter = (await now()) + 10n;
        await registry.connect(accounts.bankA).renewEntity(ID_Z, shorter);
        await time.increaseTo(shorter);
        await expectUnverified(registry, wallets);
      });
    });

    describe("when the entity is suspended", function () {
      it("stores the new expiry but leaves the wallets unverified until reinstated", async function () {
        const { accounts, suite, expiresAt, wallets } = await loadFixture(entityZSuspended);
        const registry = suite.identityRegistry;
        await registry.connect(accounts.bankA).renewEntity(ID_Z, expiresAt + LIFETIME);
        const record = await asRegulator(registry).entity(ID_Z);
        expect(record.expiresAt).to.equal(expiresAt + LIFETIME);
        expect(record.status).to.equal(EntityStatus.Suspended);
        await expectUnverified(registry, wallets);
      });
    });

    describe("when the new expiry is in the past", function () {
      it("reverts with IdentityExpiryNotInFuture and keeps the old expiry", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        const before = await entityState(registry, ID_Z);
        const blockTime = (await now()) + 100n;
        await time.setNextBlockTimestamp(blockTime);
        await expect(registry.connect(accounts.bankA).renewEntity(ID_Z, blockTime - 1n))
          .to.be.revertedWithCustomError(registry, "IdentityExpiryNotInFuture")
          .withArgs(blockTime - 1n, blockTime);
        expect(await entityState(registry, ID_Z)).to.equal(before);
      });
    });

    describe("when the new expiry equals the block's timestamp", function () {
      it("reverts with IdentityExpiryNotInFuture", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        const blockTime = (await now()) + 100n;
        await time.setNextBlockTimestamp(blockTime);
        await expect(registry.connect(accounts.bankA).renewEntity(ID_Z, blockTime))
          .to.be.revertedWithCustomError(registry, "IdentityExpiryNotInFuture")
          .withArgs(blockTime, blockTime);
      });
    });

    describe("when the caller is another provider", function () {
      it("reverts with IdentityNotEntityProvider and keeps the old expiry", async function () {
        const { accounts, suite, expiresAt } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankB).renewEntity(ID_Z, expiresAt + LIFETIME))
          .to.be.revertedWithCustomError(registry, "IdentityNotEntityProvider")
          .withArgs(ID_Z, accounts.bankB.address);
        expect((await asRegulator(registry).entity(ID_Z)).expiresAt).to.equal(expiresAt);
      });
    });

    describe("when the entity is unknown", function () {
      it("reverts with IdentityUnknownEntity", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).renewEntity(UNKNOWN_ID, (await now()) + LIFETIME))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownEntity")
          .withArgs(UNKNOWN_ID);
      });
    });

    describe("when the entity is revoked", function () {
      it("reverts with IdentityWrongStatus and leaves the wallets unverified", async function () {
        const { accounts, suite, expiresAt, wallets } = await loadFixture(entityZRevoked);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).renewEntity(ID_Z, expiresAt + LIFETIME))
          .to.be.revertedWithCustomError(registry, "IdentityWrongStatus")
          .withArgs(ID_Z, EntityStatus.Revoked);
        expect((await asRegulator(registry).entity(ID_Z)).expiresAt).to.equal(expiresAt);
        await expectUnverified(registry, wallets);
      });
    });
  });

  describe(".suspendEntity()", function () {
    describe("when the provider suspends an active entity with three wallets", function () {
      it("emits EntityStatusChanged(Suspended) naming the provider", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).suspendEntity(ID_Z))
          .to.emit(registry, "EntityStatusChanged")
          .withArgs(ID_Z, EntityStatus.Suspended, accounts.bankA.address);
        expect((await asRegulator(registry).entity(ID_Z)).status).to.equal(EntityStatus.Suspended);
      });

      it("stops all three wallets at once: isVerified false and kindsIfVerified None", async function () {
        const { suite, wallets } = await loadFixture(entityZSuspended);
        const registry = suite.identityRegistry;
        await expectUnverified(registry, wallets);
        const [aKind, bKind] = await registry.kindsIfVerified(wallets[0], wallets[2]);
        expect([aKind, bKind]).to.deep.equal([BigInt(EntityKind.None), BigInt(EntityKind.None)]);
      });

      it("keeps the wallets linked so identityOf still names the entity and kind", async function () {
        const { suite, wallets } = await loadFixture(entityZSuspended);
        const registry = suite.identityRegistry;
        const identity = await asRegulator(registry).identityOf(wallets[1]);
        expect(identity.entityId).to.equal(ID_Z);
        expect(identity.kind).to.equal(EntityKind.Enterprise);
        expect(identity.verified).to.equal(false);
        expect([...(await asRegulator(registry).walletsOf(ID_Z))]).to.deep.equal(wallets);
      });
    });

    describe("when the entity is already suspended", function () {
      it("reverts with IdentityWrongStatus(Suspended)", async function () {
        const { accounts, suite } = await loadFixture(entityZSuspended);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).suspendEntity(ID_Z))
          .to.be.revertedWithCustomError(registry, "IdentityWrongStatus")
          .withArgs(ID_Z, EntityStatus.Suspended);
      });
    });

    describe("when the entity is revoked", function () {
      it("reverts with IdentityWrongStatus(Revoked) and stays revoked", async function () {
        const { accounts, suite } = await loadFixture(entityZRevoked);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).suspendEntity(ID_Z))
          .to.be.revertedWithCustomError(registry, "IdentityWrongStatus")
          .withArgs(ID_Z, EntityStatus.Revoked);
        expect((await asRegulator(registry).entity(ID_Z)).status).to.equal(EntityStatus.Revoked);
      });
    });

    describe("when the caller is another provider", function () {
      it("reverts with IdentityNotEntityProvider and leaves the entity active", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankB).suspendEntity(ID_Z))
          .to.be.revertedWithCustomError(registry, "IdentityNotEntityProvider")
          .withArgs(ID_Z, accounts.bankB.address);
        expect((await asRegulator(registry).entity(ID_Z)).status).to.equal(EntityStatus.Active);
        await expectVerified(registry, wallets, EntityKind.Enterprise);
      });
    });

    describe("when the entity is unknown", function () {
      it("reverts with IdentityUnknownEntity", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).suspendEntity(UNKNOWN_ID))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownEntity")
          .withArgs(UNKNOWN_ID);
      });
    });
  });

  describe(".reinstateEntity()", function () {
    describe("when the provider reinstates a suspended entity", function () {
      it("emits EntityStatusChanged(Active) and verifies every wallet again at once", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZSuspended);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).reinstateEntity(ID_Z))
          .to.emit(registry, "EntityStatusChanged")
          .withArgs(ID_Z, EntityStatus.Active, accounts.bankA.address);
        expect((await asRegulator(registry).entity(ID_Z)).status).to.equal(EntityStatus.Active);
        await expectVerified(registry, wallets, EntityKind.Enterprise);
      });
    });

    describe("when the entity expired while suspended", function () {
      it("makes it active but leaves the wallets unverified until renewed", async function () {
        const { accounts, suite, expiresAt, wallets } = await loadFixture(entityZSuspended);
        const registry = suite.identityRegistry;
        await time.increaseTo(expiresAt);
        await registry.connect(accounts.bankA).reinstateEntity(ID_Z);
        expect((await asRegulator(registry).entity(ID_Z)).status).to.equal(EntityStatus.Active);
        await expectUnverified(registry, wallets);
      });
    });

    describe("when the entity is active", function () {
      it("reverts with IdentityWrongStatus(Active)", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).reinstateEntity(ID_Z))
          .to.be.revertedWithCustomError(registry, "IdentityWrongStatus")
          .withArgs(ID_Z, EntityStatus.Active);
      });
    });

    describe("when the entity is revoked", function () {
      it("reverts with IdentityWrongStatus(Revoked) and leaves the wallets unverified", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZRevoked);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).reinstateEntity(ID_Z))
          .to.be.revertedWithCustomError(registry, "IdentityWrongStatus")
          .withArgs(ID_Z, EntityStatus.Revoked);
        await expectUnverified(registry, wallets);
      });
    });

    describe("when the caller is another provider", function () {
      it("reverts with IdentityNotEntityProvider and leaves the entity suspended", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZSuspended);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankB).reinstateEntity(ID_Z))
          .to.be.revertedWithCustomError(registry, "IdentityNotEntityProvider")
          .withArgs(ID_Z, accounts.bankB.address);
        expect((await asRegulator(registry).entity(ID_Z)).status).to.equal(EntityStatus.Suspended);
        await expectUnverified(registry, wallets);
      });
    });

    describe("when the entity is unknown", function () {
      it("reverts with IdentityUnknownEntity", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).reinstateEntity(UNKNOWN_ID))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownEntity")
          .withArgs(UNKNOWN_ID);
      });
    });
  });

  describe(".revokeEntity()", function () {
    describe("when the admin revokes an active entity with three wallets", function () {
      it("emits EntityStatusChanged(Revoked) naming the admin", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.admin).revokeEntity(ID_Z))
          .to.emit(registry, "EntityStatusChanged")
          .withArgs(ID_Z, EntityStatus.Revoked, accounts.admin.address);
        expect((await asRegulator(registry).entity(ID_Z)).status).to.equal(EntityStatus.Revoked);
      });

      it("stops all three wallets at once", async function () {
        const { suite, wallets } = await loadFixture(entityZRevoked);
        await expectUnverified(suite.identityRegistry, wallets);
      });

      it("keeps the wallets linked to the revoked entity", async function () {
        const { suite, wallets } = await loadFixture(entityZRevoked);
        const registry = suite.identityRegistry;
        expect([...(await asRegulator(registry).walletsOf(ID_Z))]).to.deep.equal(wallets);
        expect((await asRegulator(registry).identityOf(wallets[0])).entityId).to.equal(ID_Z);
        expect(await asRegulator(registry).entityCount()).to.equal(BigInt(FIXTURE_IDS.length + 1));
      });

      it("stops its wallets from being linked to any other entity", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZRevoked);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankB).linkWallet(ID_Y, wallets[0]))
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(wallets[0]);
        await expect(
          registry
            .connect(accounts.bankB)
            .registerEntity(ID_NEW, EntityKind.Enterprise, CN, (await now()) + LIFETIME, [wallets[1]]),
        )
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(wallets[1]);
      });
    });

    describe("when the entity is suspended", function () {
      it("revokes it", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZSuspended);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.admin).revokeEntity(ID_Z))
          .to.emit(registry, "EntityStatusChanged")
          .withArgs(ID_Z, EntityStatus.Revoked, accounts.admin.address);
        expect((await asRegulator(registry).entity(ID_Z)).status).to.equal(EntityStatus.Revoked);
        await expectUnverified(registry, wallets);
      });
    });

    describe("when the entity is already revoked", function () {
      it("reverts with IdentityWrongStatus(Revoked)", async function () {
        const { accounts, suite } = await loadFixture(entityZRevoked);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.admin).revokeEntity(ID_Z))
          .to.be.revertedWithCustomError(registry, "IdentityWrongStatus")
          .withArgs(ID_Z, EntityStatus.Revoked);
      });
    });

    describe("when the entity is unknown", function () {
      it("reverts with IdentityUnknownEntity", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.admin).revokeEntity(UNKNOWN_ID))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownEntity")
          .withArgs(UNKNOWN_ID);
      });
    });

    describe("when the caller is the entity's own provider rather than the admin", function () {
      it("reverts with AccessControlUnauthorizedAccount and leaves the entity active", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).revokeEntity(ID_Z))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.bankA.address, await registry.DEFAULT_ADMIN_ROLE());
        expect((await asRegulator(registry).entity(ID_Z)).status).to.equal(EntityStatus.Active);
      });
    });
  });

  describe(".linkWallet()", function () {
    describe("when the provider links a new wallet", function () {
      it("emits WalletLinked, appends the wallet and verifies it with the entity's kind", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        const wallet = walletAddress("fourth");
        await expect(registry.connect(accounts.bankA).linkWallet(ID_Z, wallet))
          .to.emit(registry, "WalletLinked")
          .withArgs(ID_Z, wallet);
        expect([...(await asRegulator(registry).walletsOf(ID_Z))]).to.deep.equal([...wallets, wallet]);
        expect((await asRegulator(registry).entity(ID_Z)).walletCount).to.equal(4n);
        await expectVerified(registry, [wallet], EntityKind.Enterprise);
        expect((await asRegulator(registry).identityOf(wallet)).entityId).to.equal(ID_Z);
      });
    });

    describe("when the entity is suspended", function () {
      it("links the wallet with the entity's standing, so it is not verified", async function () {
        const { accounts, suite } = await loadFixture(entityZSuspended);
        const registry = suite.identityRegistry;
        const wallet = walletAddress("fourth");
        await registry.connect(accounts.bankA).linkWallet(ID_Z, wallet);
        expect((await asRegulator(registry).identityOf(wallet)).entityId).to.equal(ID_Z);
        await expectUnverified(registry, [wallet]);
        await registry.connect(accounts.bankA).reinstateEntity(ID_Z);
        await expectVerified(registry, [wallet], EntityKind.Enterprise);
      });
    });

    describe("when the entity is revoked", function () {
      it("reverts with IdentityWrongStatus(Revoked) and links nothing", async function () {
        const { accounts, suite } = await loadFixture(entityZRevoked);
        const registry = suite.identityRegistry;
        const wallet = walletAddress("late");
        await expect(registry.connect(accounts.bankA).linkWallet(ID_Z, wallet))
          .to.be.revertedWithCustomError(registry, "IdentityWrongStatus")
          .withArgs(ID_Z, EntityStatus.Revoked);
        expect((await asRegulator(registry).entity(ID_Z)).walletCount).to.equal(3n);
        expect((await asRegulator(registry).identityOf(wallet)).entityId).to.equal(hre.ethers.ZeroHash);
      });
    });

    describe("when the entity already has the maximum number of wallets", function () {
      it("reverts with IdentityTooManyWallets on the 21st and links nothing", async function () {
        const { accounts, suite } = await loadFixture(entityZFull);
        const registry = suite.identityRegistry;
        const before = await entityState(registry, ID_Z);
        const extra = walletAddress("twenty-first");
        expect((await asRegulator(registry).entity(ID_Z)).walletCount).to.equal(MAX_WALLETS);
        await expect(registry.connect(accounts.bankA).linkWallet(ID_Z, extra))
          .to.be.revertedWithCustomError(registry, "IdentityTooManyWallets")
          .withArgs(ID_Z, MAX_WALLETS);
        expect(await entityState(registry, ID_Z)).to.equal(before);
        expect(await registry.isVerified(extra)).to.equal(false);
      });

      it("accepts a new wallet again once one is unlinked", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZFull);
        const registry = suite.identityRegistry;
        const byA = registry.connect(accounts.bankA);
        await byA.unlinkWallet(wallets[0]);
        await expect(byA.linkWallet(ID_Z, walletAddress("twenty-first")))
          .to.emit(registry, "WalletLinked")
          .withArgs(ID_Z, walletAddress("twenty-first"));
        expect((await asRegulator(registry).entity(ID_Z)).walletCount).to.equal(MAX_WALLETS);
      });
    });

    describe("when the wallet is the zero address", function () {
      it("reverts with IdentityZeroAddress", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).linkWallet(ID_Z, hre.ethers.ZeroAddress))
          .to.be.revertedWithCustomError(registry, "IdentityZeroAddress")
          .withArgs();
      });
    });

    describe("when the wallet is the provider's own", function () {
      it("reverts with IdentitySelfVerification", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).linkWallet(ID_Z, accounts.bankA.address))
          .to.be.revertedWithCustomError(registry, "IdentitySelfVerification")
          .withArgs(accounts.bankA.address);
        expect((await asRegulator(registry).identityOf(accounts.bankA.address)).entityId).to.equal(
          entityIdOf(CODES.bankA),
        );
      });
    });

    describe("when the wallet is already linked to the same entity", function () {
      it("reverts with IdentityWalletLinked and does not list it twice", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).linkWallet(ID_Z, wallets[1]))
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(wallets[1]);
        expect([...(await asRegulator(registry).walletsOf(ID_Z))]).to.deep.equal(wallets);
      });
    });

    describe("when the wallet is linked to another entity", function () {
      it("reverts with IdentityWalletLinked and leaves it with its entity", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).linkWallet(ID_Z, accounts.enterpriseY.address))
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(accounts.enterpriseY.address);
        expect((await asRegulator(registry).identityOf(accounts.enterpriseY.address)).entityId).to.equal(ID_Y);
      });
    });

    describe("when the wallet is a system account", function () {
      it("reverts with IdentityWalletLinked and leaves it a system account", async function () {
        const { accounts, suite, systemAccount } = await loadFixture(withSystemAccount);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).linkWallet(ID_X, systemAccount))
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(systemAccount);
        const identity = await asRegulator(registry).identityOf(systemAccount);
        expect(identity.kind).to.equal(EntityKind.System);
        expect(identity.entityId).to.equal(hre.ethers.ZeroHash);
      });
    });

    describe("when the caller is another provider", function () {
      it("reverts with IdentityNotEntityProvider", async function () {
        const { accounts, suite } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        const wallet = walletAddress("intruder");
        await expect(registry.connect(accounts.bankB).linkWallet(ID_Z, wallet))
          .to.be.revertedWithCustomError(registry, "IdentityNotEntityProvider")
          .withArgs(ID_Z, accounts.bankB.address);
        expect(await registry.isVerified(wallet)).to.equal(false);
      });
    });

    describe("when the entity is unknown", function () {
      it("reverts with IdentityUnknownEntity", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).linkWallet(UNKNOWN_ID, walletAddress("w")))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownEntity")
          .withArgs(UNKNOWN_ID);
      });
    });
  });

  describe(".unlinkWallet()", function () {
    describe("when the provider unlinks the first of three wallets", function () {
      it("emits WalletUnlinked and moves the last wallet into its place", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).unlinkWallet(wallets[0]))
          .to.emit(registry, "WalletUnlinked")
          .withArgs(ID_Z, wallets[0]);
        expect([...(await asRegulator(registry).walletsOf(ID_Z))]).to.deep.equal([wallets[2], wallets[1]]);
        expect((await asRegulator(registry).entity(ID_Z)).walletCount).to.equal(2n);
      });

      it("forgets the wallet and keeps the other two verified", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await registry.connect(accounts.bankA).unlinkWallet(wallets[0]);
        const identity = await asRegulator(registry).identityOf(wallets[0]);
        expect(identity.entityId).to.equal(hre.ethers.ZeroHash);
        expect(identity.kind).to.equal(EntityKind.None);
        await expectUnverified(registry, [wallets[0]]);
        await expectVerified(registry, [wallets[1], wallets[2]], EntityKind.Enterprise);
      });
    });

    describe("when the provider unlinks the last wallet of the list", function () {
      it("pops it and keeps the order of the others", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await registry.connect(accounts.bankA).unlinkWallet(wallets[2]);
        expect([...(await asRegulator(registry).walletsOf(ID_Z))]).to.deep.equal([wallets[0], wallets[1]]);
      });
    });

    describe("when the entity's only wallet is unlinked", function () {
      it("leaves the entity registered with no wallet", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await registry.connect(accounts.bankA).unlinkWallet(accounts.enterpriseX.address);
        const record = await asRegulator(registry).entity(ID_X);
        expect(record.walletCount).to.equal(0n);
        expect(record.status).to.equal(EntityStatus.Active);
        expect(await registry.isVerified(accounts.enterpriseX.address)).to.equal(false);
      });
    });

    describe("when an unlinked wallet is linked again", function () {
      it("can join the same entity again", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZWithThreeWallets);
        const byA = suite.identityRegistry.connect(accounts.bankA);
        await byA.unlinkWallet(wallets[1]);
        await expect(byA.linkWallet(ID_Z, wallets[1])).to.emit(byA, "WalletLinked").withArgs(ID_Z, wallets[1]);
        expect([...(await asRegulator(byA).walletsOf(ID_Z))]).to.deep.equal([wallets[0], wallets[2], wallets[1]]);
        await expectVerified(byA, wallets, EntityKind.Enterprise);
      });

      it("can join an entity of another provider", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZWithThreeWallets);
        const registry = suite.identityRegistry;
        await registry.connect(accounts.bankA).unlinkWallet(wallets[1]);
        await registry.connect(accounts.bankB).linkWallet(ID_Y, wallets[1]);
        expect((await asRegulator(registry).identityOf(wallets[1])).entityId).to.equal(ID_Y);
        expect([...(await asRegulator(registry).walletsOf(ID_Z))]).to.deep.equal([wallets[0], wallets[2]]);
      });
    });

    describe("when the entity is revoked", function () {
      it("reverts with IdentityWrongStatus(Revoked) and keeps the wallet linked", async function () {
        const { accounts, suite, wallets } = await loadFixture(entityZRevoked);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).unlinkWallet(wallets[0]))
          .to.be.revertedWithCustomError(registry, "IdentityWrongStatus")
          .withArgs(ID_Z, EntityStatus.Revoked);
        expect((await asRegulator(registry).identityOf(wallets[0])).entityId).to.equal(ID_Z);
      });
    });

    describe("when the wallet is unknown", function () {
      it("reverts with IdentityUnknownWallet", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).unlinkWallet(accounts.outsider.address))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownWallet")
          .withArgs(accounts.outsider.address);
      });
    });

    describe("when the wallet is a system account", function () {
      it("reverts with IdentityUnknownWallet and leaves the system account verified", async function () {
        const { accounts, suite, systemAccount } = await loadFixture(withSystemAccount);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).unlinkWallet(systemAccount))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownWallet")
          .withArgs(systemAccount);
        expect(await registry.isVerified(systemAccount)).to.equal(true);
      });
    });

    describe("when the caller is another provider", function () {
      it("reverts with IdentityNotEntityProvider and keeps the wallet linked", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankB).unlinkWallet(accounts.enterpriseX.address))
          .to.be.revertedWithCustomError(registry, "IdentityNotEntityProvider")
          .withArgs(ID_X, accounts.bankB.address);
        expect((await asRegulator(registry).identityOf(accounts.enterpriseX.address)).entityId).to.equal(ID_X);
        expect(await registry.isVerified(accounts.enterpriseX.address)).to.equal(true);
      });
    });
  });

  describe(".registerSystemAccount()", function () {
    describe("when the admin registers a deployed contract", function () {
      it("emits SystemAccountRegistered and verifies it as System with no entity", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const account = await (await hre.ethers.deployContract("PlainERC20", [0])).getAddress();
        await expect(registry.connect(accounts.admin).registerSystemAccount(account))
          .to.emit(registry, "SystemAccountRegistered")
          .withArgs(account);
        await expectVerified(registry, [account], EntityKind.System);
        expect((await asRegulator(registry).identityOf(account)).entityId).to.equal(hre.ethers.ZeroHash);
      });

      it("never expires", async function () {
        const { suite, systemAccount } = await loadFixture(withSystemAccount);
        await time.increase(100n * 365n * 24n * 60n * 60n);
        await expectVerified(suite.identityRegistry, [systemAccount], EntityKind.System);
      });
    });

    describe("when the account is an EOA", function () {
      it("reverts with IdentityNotAContract", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.admin).registerSystemAccount(accounts.outsider.address))
          .to.be.revertedWithCustomError(registry, "IdentityNotAContract")
          .withArgs(accounts.outsider.address);
        expect(await registry.isVerified(accounts.outsider.address)).to.equal(false);
      });
    });

    describe("when the account is already a system account", function () {
      it("reverts with IdentityWalletLinked", async function () {
        const { accounts, suite, systemAccount } = await loadFixture(withSystemAccount);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.admin).registerSystemAccount(systemAccount))
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(systemAccount);
      });
    });

    describe("when the contract is linked as an entity's wallet", function () {
      it("reverts with IdentityWalletLinked and leaves it the entity's wallet", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const contract = await (await hre.ethers.deployContract("PlainERC20", [0])).getAddress();
        await registry.connect(accounts.bankA).linkWallet(ID_X, contract);
        await expect(registry.connect(accounts.admin).registerSystemAccount(contract))
          .to.be.revertedWithCustomError(registry, "IdentityWalletLinked")
          .withArgs(contract);
        const identity = await asRegulator(registry).identityOf(contract);
        expect(identity.entityId).to.equal(ID_X);
        expect(identity.kind).to.equal(EntityKind.Enterprise);
      });
    });

    describe("when the caller is not the admin", function () {
      it("reverts with AccessControlUnauthorizedAccount", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const contract = await suite.digitalCurrency.getAddress();
        await expect(registry.connect(accounts.bankA).registerSystemAccount(contract))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.bankA.address, await registry.DEFAULT_ADMIN_ROLE());
        expect(await registry.isVerified(contract)).to.equal(false);
      });
    });
  });

  describe(".removeSystemAccount()", function () {
    describe("when the admin removes a system account", function () {
      it("emits SystemAccountRemoved and stops verifying it", async function () {
        const { accounts, suite, systemAccount } = await loadFixture(withSystemAccount);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.admin).removeSystemAccount(systemAccount))
          .to.emit(registry, "SystemAccountRemoved")
          .withArgs(systemAccount);
        await expectUnverified(registry, [systemAccount]);
        expect((await asRegulator(registry).identityOf(systemAccount)).kind).to.equal(EntityKind.None);
      });

      it("lets the address be registered again", async function () {
        const { accounts, suite, systemAccount } = await loadFixture(withSystemAccount);
        const byAdmin = suite.identityRegistry.connect(accounts.admin);
        await byAdmin.removeSystemAccount(systemAccount);
        await expect(byAdmin.registerSystemAccount(systemAccount))
          .to.emit(byAdmin, "SystemAccountRegistered")
          .withArgs(systemAccount);
        expect(await byAdmin.isVerified(systemAccount)).to.equal(true);
      });
    });

    describe("when the account was never a system account", function () {
      it("reverts with IdentityNotSystemAccount", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const contract = await suite.digitalCurrency.getAddress();
        await expect(registry.connect(accounts.admin).removeSystemAccount(contract))
          .to.be.revertedWithCustomError(registry, "IdentityNotSystemAccount")
          .withArgs(contract);
      });
    });

    describe("when the account is an entity's wallet", function () {
      it("reverts with IdentityNotSystemAccount and leaves the wallet verified", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.admin).removeSystemAccount(accounts.enterpriseX.address))
          .to.be.revertedWithCustomError(registry, "IdentityNotSystemAccount")
          .withArgs(accounts.enterpriseX.address);
        await expectVerified(registry, [accounts.enterpriseX.address], EntityKind.Enterprise);
      });
    });

    describe("when the caller is not the admin", function () {
      it("reverts with AccessControlUnauthorizedAccount and keeps the account", async function () {
        const { accounts, suite, systemAccount } = await loadFixture(withSystemAccount);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.bankA).removeSystemAccount(systemAccount))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.bankA.address, await registry.DEFAULT_ADMIN_ROLE());
        expect(await registry.isVerified(systemAccount)).to.equal(true);
      });
    });
  });

  describe(".isVerified() / .kindsIfVerified() / .identityOf()", function () {
    describe("when the wallet is unknown", function () {
      it("reads as unverified, kind None, no entity", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expectUnverified(registry, [accounts.outsider.address, hre.ethers.ZeroAddress]);
        const identity = await asRegulator(registry).identityOf(accounts.outsider.address);
        expect(identity.entityId).to.equal(hre.ethers.ZeroHash);
        expect(identity.kind).to.equal(EntityKind.None);
      });
    });

    describe("when two wallets of different kinds are asked", function () {
      it("returns each wallet's kind in the order asked", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        const [a, b] = await registry.kindsIfVerified(accounts.bankA.address, accounts.enterpriseX.address);
        expect(a).to.equal(EntityKind.Bank);
        expect(b).to.equal(EntityKind.Enterprise);
        const [c, d] = await registry.kindsIfVerified(accounts.outsider.address, accounts.centralBank.address);
        expect(c).to.equal(EntityKind.None);
        expect(d).to.equal(EntityKind.CentralBank);
      });
    });

    describe("at the expiry edge (views read the latest block's timestamp)", function () {
      it("verifies every wallet at expiresAt − 1 s", async function () {
        const { suite, expiresAt, wallets } = await loadFixture(entityZWithThreeWallets);
        await time.increaseTo(expiresAt - 1n);
        expect(await time.latest()).to.equal(Number(expiresAt - 1n));
        await expectVerified(suite.identityRegistry, wallets, EntityKind.Enterprise);
      });

      it("verifies no wallet at exactly expiresAt", async function () {
        const { suite, expiresAt, wallets } = await loadFixture(entityZWithThreeWallets);
        await time.increaseTo(expiresAt);
        expect(await time.latest()).to.equal(Number(expiresAt));
        await expectUnverified(suite.identityRegistry, wallets);
      });

      it("verifies no wallet at expiresAt + 1 s", async function () {
        const { suite, expiresAt, wallets } = await loadFixture(entityZWithThreeWallets);
        await time.increaseTo(expiresAt + 1n);
        await expectUnverified(suite.identityRegistry, wallets);
        const identity = await asRegulator(suite.identityRegistry).identityOf(wallets[0]);
        expect(identity.entityId).to.equal(ID_Z);
        expect(identity.kind).to.equal(EntityKind.Enterprise);
      });

      it("keeps the record Active: expiry is read from the clock, not written as a status", async function () {
        const { suite, expiresAt } = await loadFixture(entityZWithThreeWallets);
        await time.increaseTo(expiresAt + 1n);
        expect((await asRegulator(suite.identityRegistry).entity(ID_Z)).status).to.equal(EntityStatus.Active);
      });
    });

    describe("at the expiry edge inside a transaction (block.timestamp of the mined block)", function () {
      async function fundedZ() {
        const fixture = await loadFixture(entityZWithThreeWallets);
        const { accounts, suite } = fixture;
        await (await suite.digitalCurrency.connect(accounts.centralBank).mint(accounts.bankB.address, 1_000n)).wait();
        return fixture;
      }

      it("lets a payment to the entity through in a block at expiresAt − 1 s", async function () {
        const { accounts, suite, expiresAt, wallets } = await loadFixture(fundedZ);
        const cash = suite.digitalCurrency.connect(accounts.bankB);
        await time.setNextBlockTimestamp(expiresAt - 1n);
        await expect(cash.transfer(wallets[0], 10n)).to.changeTokenBalances(
          cash,
          [accounts.bankB.address, wallets[0]],
          [-10n, 10n],
        );
      });

      it("refuses a payment to the entity in a block at exactly expiresAt", async function () {
        const { accounts, suite, expiresAt, wallets } = await loadFixture(fundedZ);
        const cash = suite.digitalCurrency.connect(accounts.bankB);
        await time.setNextBlockTimestamp(expiresAt);
        await expect(cash.transfer(wallets[0], 10n))
          .to.be.revertedWithCustomError(cash, "CurrencyUnverifiedAccount")
          .withArgs(wallets[0]);
        expect(await cash.balanceOf(wallets[0])).to.equal(0n);
      });
    });
  });

  describe(".entity() / .walletsOf()", function () {
    describe("when the entity is unknown", function () {
      it("entity() reverts with IdentityUnknownEntity", async function () {
        const { suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(asRegulator(registry).entity(UNKNOWN_ID))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownEntity")
          .withArgs(UNKNOWN_ID);
      });

      it("walletsOf() reverts with IdentityUnknownEntity", async function () {
        const { suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        await expect(asRegulator(registry).walletsOf(hre.ethers.ZeroHash))
          .to.be.revertedWithCustomError(registry, "IdentityUnknownEntity")
          .withArgs(hre.ethers.ZeroHash);
      });
    });
  });

  describe(".entityCount() / .entityIds()", function () {
    describe("when six entities are registered", function () {
      it("counts six", async function () {
        const { suite } = await loadFixture(verifiedPlatform);
        expect(await asRegulator(suite.identityRegistry).entityCount()).to.equal(6n);
      });

      it("pages through the ids in registration order", async function () {
        const { suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        expect([...(await asRegulator(registry).entityIds(0, 6))]).to.deep.equal(FIXTURE_IDS);
        expect([...(await asRegulator(registry).entityIds(0, 2))]).to.deep.equal(FIXTURE_IDS.slice(0, 2));
        expect([...(await asRegulator(registry).entityIds(2, 2))]).to.deep.equal(FIXTURE_IDS.slice(2, 4));
        expect([...(await asRegulator(registry).entityIds(4, 2))]).to.deep.equal(FIXTURE_IDS.slice(4, 6));
      });

      it("returns a short last page when the limit runs past the end", async function () {
        const { suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        expect([...(await asRegulator(registry).entityIds(4, 10))]).to.deep.equal(FIXTURE_IDS.slice(4));
        expect([...(await asRegulator(registry).entityIds(1, hre.ethers.MaxUint256))]).to.deep.equal(
          FIXTURE_IDS.slice(1),
        );
      });

      it("returns an empty page for an offset at or past the end", async function () {
        const { suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        expect(await asRegulator(registry).entityIds(6, 10)).to.have.lengthOf(0);
        expect(await asRegulator(registry).entityIds(7, 10)).to.have.lengthOf(0);
        expect(await asRegulator(registry).entityIds(hre.ethers.MaxUint256, hre.ethers.MaxUint256)).to.have.lengthOf(0);
      });

      it("returns an empty page for limit 0", async function () {
        const { suite } = await loadFixture(verifiedPlatform);
        const registry = suite.identityRegistry;
        expect(await asRegulator(registry).entityIds(0, 0)).to.have.lengthOf(0);
        expect(await asRegulator(registry).entityIds(3, 0)).to.have.lengthOf(0);
      });
    });

    describe("when an entity is revoked", function () {
      it("still counts and lists it", async function () {
        const { suite } = await loadFixture(entityZRevoked);
        const registry = suite.identityRegistry;
        expect(await asRegulator(registry).entityCount()).to.equal(7n);
        expect([...(await asRegulator(registry).entityIds(6, 1))]).to.deep.equal([ID_Z]);
      });
    });
  });

  describe("when bank A has verified enterprise X (KYC once, relied on by everyone)", function () {
    it("lets bank B rely on bank A's verification without a second KYC", async function () {
      const { accounts, suite } = await loadFixture(verifiedPlatform);
      const { bankA, bankB, centralBank, enterpriseX } = accounts;
      const registry = suite.identityRegistry;

      // Bank B is a different KYC provider: it cannot register X a second time...
      expect(await registry.hasRole(await registry.KYC_PROVIDER_ROLE(), bankB.address)).to.equal(true);
      await expect(
        registry.connect(bankB).registerEntity(ID_X, EntityKind.Enterprise, CN, (await now()) + LIFETIME, []),
      )
        .to.be.revertedWithCustomError(registry, "IdentityEntityExists")
        .withArgs(ID_X);

      // ...and need not: it reads bank A's record.
      const record = await asRegulator(registry).entity(ID_X);
      expect(record.provider).to.equal(bankA.address);
      expect(record.kind).to.equal(EntityKind.Enterprise);
      expect(record.status).to.equal(EntityStatus.Active);
      const identity = await asRegulator(registry).identityOf(enterpriseX.address);
      expect(identity.entityId).to.equal(ID_X);
      expect(identity.verified).to.equal(true);

      // The currency relies on the same record: bank B pays enterprise X.
      const cash = suite.digitalCurrency;
      await expect(cash.connect(centralBank).mint(bankB.address, 50_000n)).to.changeTokenBalance(cash, bankB, 50_000n);
      await expect(cash.connect(bankB).transfer(enterpriseX.address, 12_345n)).to.changeTokenBalances(
        cash,
        [bankB, enterpriseX],
        [-12_345n, 12_345n],
      );
    });

    it("stops bank B's payments to X as soon as bank A suspends X", async function () {
      const { accounts, suite } = await loadFixture(verifiedPlatform);
      const { bankA, bankB, centralBank, enterpriseX } = accounts;
      const cash = suite.digitalCurrency;
      await cash.connect(centralBank).mint(bankB.address, 50_000n);
      await suite.identityRegistry.connect(bankA).suspendEntity(ID_X);
      await expect(cash.connect(bankB).transfer(enterpriseX.address, 1n))
        .to.be.revertedWithCustomError(cash, "CurrencyUnverifiedAccount")
        .withArgs(enterpriseX.address);
    });
  });
});
