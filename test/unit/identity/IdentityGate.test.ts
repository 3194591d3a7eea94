import { expect } from "chai";
import hre from "hardhat";
import {
  impersonateAccount,
  loadFixture,
  setBalance,
  stopImpersonatingAccount,
  time,
} from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { DigitalCurrency, IdentityRegistry } from "../../../typechain-types";
import {
  ADMIN_DELAY,
  CODES,
  ONE_YEAR,
  entityIdOf,
  fundedPlatform,
  unsubscribedPlatform,
  verifiedPlatform,
} from "../../fixtures/platform";
import type { Accounts } from "../../fixtures/platform";
import { EntityKind, EntityStatus, jurisdictionToBytes32, registerEntity } from "../../../tasks/lib/identity";
import { expectTransferMoves, expectUnverified, fundedCurrency } from "../../fixtures/currencyCases";

/*
 * The registry publishes every change of a wallet's standing to its subscribers in the same transaction; the
 * currency (an IdentityGate) keeps a one-slot copy per wallet, tagged with its subscription epoch, and trusts it
 * only while subscribed under that epoch. Any other wallet is looked up in the registry. Whichever path answers,
 * the answer must be the registry's at that moment.
 */

const AMOUNT = 100_00n;
const MAX_SUBSCRIBERS = 8n;
const MAX_UINT48 = 2n ** 48n - 1n;
const DEFAULT_ADMIN_ROLE = hre.ethers.ZeroHash;
const CN = jurisdictionToBytes32("CN");
const ID_X = entityIdOf(CODES.enterpriseX);
const CODE_Z = "91110108MA01ZZZZZ3";
const ID_Z = entityIdOf(CODE_Z);
const ID_W = entityIdOf("91120116MA05WWWWW4");

/** A credential as the contracts return it: [expiresAt, status, kind, entity]. */
type Credential = [bigint, bigint, bigint, bigint];

function credential(expiresAt: bigint, status: EntityStatus, kind: EntityKind, entity = 0n): Credential {
  return [expiresAt, BigInt(status), BigInt(kind), entity];
}

/**
 * Entity numbers: the order of registration in `verifiedPlatform` (central bank 1, bank B 2, X 3, regulator 4,
 * bank A 5, Y 6), then Z and W registered here.
 */
const NUMBER = { bankB: 2n, enterpriseX: 3n, regulator: 4n, enterpriseY: 6n, z: 7n, w: 8n } as const;

const NO_CREDENTIAL = credential(0n, EntityStatus.None, EntityKind.None);

/** A DigitalCurrency checked against `registry`, with the fixture's roles; not subscribed to anything. */
async function deployGate(registry: string, accounts: Accounts, symbol = "GATE"): Promise<DigitalCurrency> {
  const { admin, centralBank, pauser, regulator } = accounts;
  return hre.ethers.deployContract("DigitalCurrency", [
    `Gate ${symbol}`,
    symbol,
    registry,
    ADMIN_DELAY,
    admin.address,
    centralBank.address,
    pauser.address,
    regulator.address,
  ]);
}

/** The gate's copy of `wallet` and whether it is current. */
async function copyOf(gate: DigitalCurrency, wallet: string): Promise<{ copy: Credential; current: boolean }> {
  const [copy, current] = await gate.cachedCredentialOf(wallet);
  return { copy: [...copy] as Credential, current };
}

async function registryCredential(registry: IdentityRegistry, wallet: string): Promise<Credential> {
  return [...(await registry.credentialOf(wallet))] as Credential;
}

/** The registry holds `expected` for each wallet, and the gate holds the same as a current copy. */
async function expectCurrentCopies(
  gate: DigitalCurrency,
  registry: IdentityRegistry,
  wallets: string[],
  expected: Credential,
): Promise<void> {
  for (const wallet of wallets) {
    expect(await registryCredential(registry, wallet), `registry.credentialOf(${wallet})`).to.deep.equal(expected);
    expect(await copyOf(gate, wallet), `cachedCredentialOf(${wallet})`).to.deep.equal({
      copy: expected,
      current: true,
    });
  }
}

/** Funded platform plus enterprise Z, verified by bank A with two wallets, and a contract fit to be a system account. */
async function withEntityZ() {
  const { accounts, suite } = await loadFixture(fundedPlatform);
  const expiresAt = BigInt(await time.latest()) + ONE_YEAR;
  const zWallets = [accounts.extra[0].address, accounts.extra[1].address];
  await registerEntity(suite.identityRegistry.connect(accounts.bankA), {
    code: CODE_Z,
    kind: EntityKind.Enterprise,
    jurisdiction: "CN",
    expiresAt,
    wallets: zWallets,
  });
  const standIn = await (await hre.ethers.deployContract("PlainERC20", [0])).getAddress();
  return { accounts, suite, expiresAt, zWallets, standIn };
}

/** Funded platform plus a second currency for the same registry, deployed after everyone was verified. */
async function withSpareGate() {
  const { accounts, suite } = await loadFixture(fundedPlatform);
  const spare = await deployGate(await suite.identityRegistry.getAddress(), accounts, "SPARE");
  return { accounts, suite, spare };
}

/** Funded platform whose registry publishes to the currency and three more gates: [currency, g1, g2, g3]. */
async function withFourSubscribers() {
  const { accounts, suite } = await loadFixture(fundedPlatform);
  const registry = suite.identityRegistry;
  const gates: DigitalCurrency[] = [];
  for (const symbol of ["G1", "G2", "G3"]) {
    const gate = await deployGate(await registry.getAddress(), accounts, symbol);
    await (await registry.connect(accounts.admin).addSubscriber(await gate.getAddress())).wait();
    gates.push(gate);
  }
  return { accounts, suite, gates };
}

async function addressesOf(...contracts: { getAddress(): Promise<string> }[]): Promise<string[]> {
  return Promise.all(contracts.map((c) => c.getAddress()));
}

function nonAdmins(accounts: Accounts): HardhatEthersSigner[] {
  return [accounts.bankA, accounts.regulator, accounts.enterpriseX, accounts.outsider, accounts.pauser];
}

describe("IdentityGate (DigitalCurrency)", function () {
  describe(".identitySubscription()", function () {
    describe("when the platform module has deployed the currency", function () {
      it("is subscribed under epoch 1, next to the bill ledger", async function () {
        const { suite } = await loadFixture(fundedPlatform);
        const currency = suite.digitalCurrency;
        expect(await currency.identitySubscription()).to.deep.equal([true, 1n]);
        expect([...(await suite.identityRegistry.subscribers())]).to.have.members(
          await addressesOf(currency, suite.billLedger),
        );
      });
    });

    describe("when a currency is deployed but not subscribed", function () {
      it("is unsubscribed under epoch 0 and holds no current copy", async function () {
        const { accounts, spare } = await loadFixture(withSpareGate);
        expect(await spare.identitySubscription()).to.deep.equal([false, 0n]);
        expect(await copyOf(spare, accounts.enterpriseX.address)).to.deep.equal({
          copy: NO_CREDENTIAL,
          current: false,
        });
      });
    });
  });

  describe("the registry hooks", function () {
    describe("when anyone but the registry calls them", function () {
      it("reverts IdentitySubscriberUnauthorized(caller), the admin and the pauser included", async function () {
        const { accounts, currency } = await fundedCurrency();
        const x = accounts.enterpriseX.address;
        const before = await copyOf(currency, x);
        const lie = { expiresAt: MAX_UINT48, status: EntityStatus.Active, kind: EntityKind.Regulator, entity: 0n };
        for (const caller of [accounts.admin, accounts.pauser, accounts.bankA, accounts.enterpriseX]) {
          const byCaller = currency.connect(caller);
          for (const attempt of [
            () => byCaller.onSubscribed(),
            () => byCaller.onUnsubscribed(),
            () => byCaller.onCredentialsChanged([x], lie),
          ]) {
            await expect(attempt())
              .to.be.revertedWithCustomError(currency, "IdentitySubscriberUnauthorized")
              .withArgs(caller.address);
          }
        }
        expect(await currency.identitySubscription()).to.deep.equal([true, 1n]);
        expect(await copyOf(currency, x)).to.deep.equal(before);
      });
    });

    describe("when called by the registry", function () {
      /** Runs `body` with the registry's address as a signer, to call the hooks the way only the registry can. */
      async function asRegistry(
        registry: IdentityRegistry,
        body: (signer: HardhatEthersSigner) => Promise<void>,
      ): Promise<void> {
        const address = await registry.getAddress();
        await impersonateAccount(address);
        try {
          await setBalance(address, 10n ** 18n);
          await body(await hre.ethers.getSigner(address));
        } finally {
          await stopImpersonatingAccount(address);
        }
      }

      it("trusts a current copy without asking the registry, and stops trusting it when unsubscribed", async function () {
        // A copy the registry never wrote shows which path answers: the gate believes its current copy whatever
        // the registry holds, which is why only the registry may write it.
        const { accounts, suite, currency } = await fundedCurrency();
        const registry = suite.identityRegistry;
        const { admin, enterpriseX, outsider } = accounts;
        const planted = credential(MAX_UINT48, EntityStatus.Active, EntityKind.Enterprise);
        await asRegistry(registry, async (signer) => {
          await currency.connect(signer).onCredentialsChanged([outsider.address], {
            expiresAt: MAX_UINT48,
            status: EntityStatus.Active,
            kind: EntityKind.Enterprise,
            entity: 0n,
          });
        });
        expect(await copyOf(currency, outsider.address)).to.deep.equal({ copy: planted, current: true });
        expect(await registry.isVerified(outsider.address)).to.equal(false);
        await expectTransferMoves(currency, enterpriseX, outsider, AMOUNT);

        await registry.connect(admin).removeSubscriber(await currency.getAddress());
        expect(await copyOf(currency, outsider.address)).to.deep.equal({ copy: planted, current: false });
        await expectUnverified(
          currency,
          currency.connect(enterpriseX).transfer(outsider.address, AMOUNT),
          outsider.address,
        );
      });
    });
  });

  describe(".cachedCredentialOf()", function () {
    describe("when the registry changes a wallet's standing while the currency is subscribed", function () {
      interface Change {
        name: string;
        /** Carries out the act; returns the wallets it touched and the credential they must now have. */
        act: (f: Awaited<ReturnType<typeof withEntityZ>>) => Promise<{ wallets: string[]; expected: Credential }>;
      }
      const CHANGES: Change[] = [
        {
          name: "registerEntity",
          act: async ({ accounts, suite, expiresAt }) => {
            const wallets = [accounts.extra[2].address, accounts.extra[3].address];
            await suite.identityRegistry
              .connect(accounts.bankB)
              .registerEntity(ID_W, EntityKind.FinanceCompany, CN, expiresAt, wallets);
            return {
              wallets,
              expected: credential(expiresAt, EntityStatus.Active, EntityKind.FinanceCompany, NUMBER.w),
            };
          },
        },
        {
          name: "linkWallet",
          act: async ({ accounts, suite, expiresAt }) => {
            const wallet = accounts.extra[2].address;
            await suite.identityRegistry.connect(accounts.bankA).linkWallet(ID_Z, wallet);
            return {
              wallets: [wallet],
              expected: credential(expiresAt, EntityStatus.Active, EntityKind.Enterprise, NUMBER.z),
            };
          },
        },
        {
          name: "unlinkWallet (the copy becomes all zero)",
          act: async ({ accounts, suite, zWallets }) => {
            await suite.identityRegistry.connect(accounts.bankA).unlinkWallet(zWallets[0]);
            return { wallets: [zWallets[0]], expected: NO_CREDENTIAL };
          },
        },
        {
          name: "suspendEntity",
          act: async ({ accounts, suite, expiresAt, zWallets }) => {
            await suite.identityRegistry.connect(accounts.bankA).suspendEntity(ID_Z);
            return {
              wallets: zWallets,
              expected: credential(expiresAt, EntityStatus.Suspended, EntityKind.Enterprise, NUMBER.z),
            };
          },
        },
        {
          name: "reinstateEntity",
          act: async ({ accounts, suite, expiresAt, zWallets }) => {
            const byA = suite.identityRegistry.connect(accounts.bankA);
            await byA.suspendEntity(ID_Z);
            await byA.reinstateEntity(ID_Z);
            return {
              wallets: zWallets,
              expected: credential(expiresAt, EntityStatus.Active, EntityKind.Enterprise, NUMBER.z),
            };
          },
        },
        {
          name: "renewEntity",
          act: async ({ accounts, suite, zWallets }) => {
            const renewed = BigInt(await time.latest()) + 3n * ONE_YEAR;
            await suite.identityRegistry.connect(accounts.bankA).renewEntity(ID_Z, renewed);
            return {
              wallets: zWallets,
              expected: credential(renewed, EntityStatus.Active, EntityKind.Enterprise, NUMBER.z),
            };
          },
        },
        {
          name: "revokeEntity",
          act: async ({ accounts, suite, expiresAt, zWallets }) => {
            await suite.identityRegistry.connect(accounts.admin).revokeEntity(ID_Z);
            return {
              wallets: zWallets,
              expected: credential(expiresAt, EntityStatus.Revoked, EntityKind.Enterprise, NUMBER.z),
            };
          },
        },
        {
          name: "registerSystemAccount",
          act: async ({ accounts, suite, standIn }) => {
            await suite.identityRegistry.connect(accounts.admin).registerSystemAccount(standIn);
            return { wallets: [standIn], expected: credential(MAX_UINT48, EntityStatus.Active, EntityKind.System) };
          },
        },
        {
          name: "removeSystemAccount (the copy becomes all zero)",
          act: async ({ accounts, suite, standIn }) => {
            const byAdmin = suite.identityRegistry.connect(accounts.admin);
            await byAdmin.registerSystemAccount(standIn);
            await byAdmin.removeSystemAccount(standIn);
            return { wallets: [standIn], expected: NO_CREDENTIAL };
          },
        },
      ];

      for (const { name, act } of CHANGES) {
        it(`follows ${name}: a current copy equal to registry.credentialOf`, async function () {
          const fixture = await loadFixture(withEntityZ);
          const { wallets, expected } = await act(fixture);
          await expectCurrentCopies(fixture.suite.digitalCurrency, fixture.suite.identityRegistry, wallets, expected);
        });
      }

      it("lets the copy decide a transfer the way the registry would (suspend, then reinstate)", async function () {
        const { accounts, suite, zWallets } = await loadFixture(withEntityZ);
        const currency = suite.digitalCurrency;
        const byA = suite.identityRegistry.connect(accounts.bankA);
        const [z0] = zWallets;
        await currency.connect(accounts.centralBank).mint(z0, AMOUNT);
        await byA.suspendEntity(ID_Z);
        expect((await copyOf(currency, z0)).current).to.equal(true);
        await expectUnverified(currency, currency.connect(accounts.enterpriseX).transfer(z0, AMOUNT), z0);
        await byA.reinstateEntity(ID_Z);
        await expect(currency.connect(accounts.enterpriseX).transfer(z0, AMOUNT)).to.changeTokenBalances(
          currency,
          [accounts.enterpriseX.address, z0],
          [-AMOUNT, AMOUNT],
        );
      });
    });

    describe("when a wallet was never published", function () {
      it("returns an all-zero copy that is not current", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        expect(await copyOf(suite.digitalCurrency, accounts.outsider.address)).to.deep.equal({
          copy: NO_CREDENTIAL,
          current: false,
        });
      });
    });
  });

  describe(".partiesIfVerified()", function () {
    /** Pairs whose answers differ: verified, suspended, unknown, the zero address, one wallet, one entity. */
    async function pairsOf(accounts: Accounts, zWallets: string[]): Promise<[string, string][]> {
      const { enterpriseX: x, enterpriseY: y, bankA, outsider, regulator } = accounts;
      return [
        [x.address, y.address],
        [y.address, bankA.address],
        [x.address, x.address],
        [zWallets[0], zWallets[1]],
        [zWallets[1], x.address],
        [outsider.address, y.address],
        [regulator.address, hre.ethers.ZeroAddress],
        [hre.ethers.ZeroAddress, hre.ethers.ZeroAddress],
      ];
    }

    async function expectRegistryAnswers(
      registry: IdentityRegistry,
      gates: Pick<DigitalCurrency, "partiesIfVerified">[],
      pairs: [string, string][],
    ) {
      for (const [a, b] of pairs) {
        const expected = await registry.partiesIfVerified(a, b);
        for (const gate of gates) {
          expect(await gate.partiesIfVerified(a, b), `${a} / ${b}`).to.deep.equal(expected);
        }
      }
    }

    it("answers as the registry does, from the copies of the currency and of the ledger", async function () {
      const { accounts, suite, zWallets } = await loadFixture(withEntityZ);
      await (await suite.identityRegistry.connect(accounts.bankB).suspendEntity(entityIdOf(CODES.enterpriseY))).wait();
      const pairs = await pairsOf(accounts, zWallets);
      await expectRegistryAnswers(suite.identityRegistry, [suite.digitalCurrency, suite.billLedger], pairs);
      const [suspended] = await suite.digitalCurrency.partiesIfVerified(
        accounts.enterpriseY.address,
        accounts.bankA.address,
      );
      expect(suspended, "the suspended wallet").to.equal(BigInt(EntityKind.None));
      expect((await suite.billLedger.partiesIfVerified(zWallets[0], zWallets[1]))[2], "one entity").to.equal(true);
    });

    it("answers as the registry does once the copies are stale (unsubscribed: the registry answers)", async function () {
      const { accounts, suite } = await loadFixture(unsubscribedPlatform);
      await (await suite.identityRegistry.connect(accounts.bankA).suspendEntity(ID_X)).wait();
      const pairs = await pairsOf(accounts, [accounts.bankA.address, accounts.bankB.address]);
      await expectRegistryAnswers(suite.identityRegistry, [suite.digitalCurrency], pairs);
      const [x] = await suite.digitalCurrency.partiesIfVerified(accounts.enterpriseX.address, hre.ethers.ZeroAddress);
      expect(x, "suspended after the copies stopped").to.equal(BigInt(EntityKind.None));
    });
  });

  describe("when the registry stops publishing to the currency (removeSubscriber)", function () {
    it("emits IdentitySubscriptionChanged(false, 1) and no copy is current any more", async function () {
      const { accounts, suite, currency } = await fundedCurrency();
      const x = accounts.enterpriseX.address;
      const before = await copyOf(currency, x);
      expect(before.current).to.equal(true);
      await expect(suite.identityRegistry.connect(accounts.admin).removeSubscriber(await currency.getAddress()))
        .to.emit(currency, "IdentitySubscriptionChanged")
        .withArgs(false, 1n);
      expect(await currency.identitySubscription()).to.deep.equal([false, 1n]);
      for (const wallet of [accounts.centralBank, accounts.bankA, accounts.enterpriseX, accounts.enterpriseY]) {
        expect((await copyOf(currency, wallet.address)).current, wallet.address).to.equal(false);
      }
      expect((await copyOf(currency, x)).copy).to.deep.equal(before.copy);
    });

    it("still enforces KYC through the registry: a wallet suspended meanwhile cannot send or receive", async function () {
      const { accounts, suite } = await loadFixture(unsubscribedPlatform);
      const currency = suite.digitalCurrency;
      const registry = suite.identityRegistry;
      const { bankA, enterpriseX: x, enterpriseY: y } = accounts;
      const copyBefore = await copyOf(currency, x.address);
      await registry.connect(bankA).suspendEntity(ID_X);
      expect(await copyOf(currency, x.address), "the registry no longer writes the copy").to.deep.equal(copyBefore);
      expect(copyBefore.copy[1]).to.equal(BigInt(EntityStatus.Active));
      await expectUnverified(currency, currency.connect(x).transfer(y.address, AMOUNT), x.address);
      await expectUnverified(currency, currency.connect(y).transfer(x.address, AMOUNT), x.address);
      await expectTransferMoves(currency, y, bankA, AMOUNT);
      await registry.connect(bankA).reinstateEntity(ID_X);
      await expectTransferMoves(currency, x, y, AMOUNT);
    });

    it("lets a wallet registered meanwhile act, through the registry", async function () {
      const { accounts, suite } = await loadFixture(unsubscribedPlatform);
      const currency = suite.digitalCurrency;
      const [wallet] = accounts.extra;
      await registerEntity(suite.identityRegistry.connect(accounts.bankA), {
        code: CODE_Z,
        kind: EntityKind.Enterprise,
        jurisdiction: "CN",
        expiresAt: BigInt(await time.latest()) + ONE_YEAR,
        wallets: [wallet.address],
      });
      expect(await copyOf(currency, wallet.address)).to.deep.equal({ copy: NO_CREDENTIAL, current: false });
      await expect(currency.connect(accounts.centralBank).mint(wallet.address, AMOUNT)).to.changeTokenBalance(
        currency,
        wallet,
        AMOUNT,
      );
    });

    it("is not reached by republish", async function () {
      const { accounts, suite } = await loadFixture(unsubscribedPlatform);
      const currency = suite.digitalCurrency;
      const x = accounts.enterpriseX.address;
      await suite.identityRegistry.connect(accounts.admin).republish([x]);
      expect((await copyOf(currency, x)).current).to.equal(false);
    });
  });

  describe("when the registry publishes to the currency again (addSubscriber after removeSubscriber)", function () {
    /** Unsubscribed, enterprise X suspended while nobody told the currency, then subscribed again. */
    async function staleCopyOfX() {
      const { accounts, suite } = await loadFixture(unsubscribedPlatform);
      const registry = suite.identityRegistry;
      await (await registry.connect(accounts.bankA).suspendEntity(ID_X)).wait();
      const tx = await registry.connect(accounts.admin).addSubscriber(await suite.digitalCurrency.getAddress());
      return { accounts, suite, tx };
    }

    it("emits IdentitySubscriptionChanged(true, 2) and runs under epoch 2", async function () {
      const { suite, tx } = await loadFixture(staleCopyOfX);
      const currency = suite.digitalCurrency;
      await expect(tx).to.emit(currency, "IdentitySubscriptionChanged").withArgs(true, 2n);
      await expect(tx)
        .to.emit(suite.identityRegistry, "SubscriberAdded")
        .withArgs(await currency.getAddress());
      expect(await currency.identitySubscription()).to.deep.equal([true, 2n]);
    });

    it("does not trust a copy written under epoch 1: the stale Active copy of X is refused", async function () {
      const { accounts, suite } = await loadFixture(staleCopyOfX);
      const currency = suite.digitalCurrency;
      const registry = suite.identityRegistry;
      const { enterpriseX: x, enterpriseY: y } = accounts;
      const stale = await copyOf(currency, x.address);
      expect(stale.copy[1], "the copy still says Active").to.equal(BigInt(EntityStatus.Active));
      expect(stale.current).to.equal(false);
      expect((await registry.credentialOf(x.address)).status).to.equal(BigInt(EntityStatus.Suspended));
      await expectUnverified(currency, currency.connect(x).transfer(y.address, AMOUNT), x.address);
    });

    it("makes the copy current with republish([X]), still refused; reinstating X lets it send", async function () {
      const { accounts, suite } = await loadFixture(staleCopyOfX);
      const currency = suite.digitalCurrency;
      const registry = suite.identityRegistry;
      const { admin, bankA, enterpriseX: x, enterpriseY: y } = accounts;
      const { expiresAt } = await registry.entity(ID_X);
      await registry.connect(admin).republish([x.address]);
      await expectCurrentCopies(
        currency,
        registry,
        [x.address],
        credential(expiresAt, EntityStatus.Suspended, EntityKind.Enterprise, NUMBER.enterpriseX),
      );
      await expectUnverified(currency, currency.connect(x).transfer(y.address, AMOUNT), x.address);
      await registry.connect(bankA).reinstateEntity(ID_X);
      await expectCurrentCopies(
        currency,
        registry,
        [x.address],
        credential(expiresAt, EntityStatus.Active, EntityKind.Enterprise, NUMBER.enterpriseX),
      );
      await expectTransferMoves(currency, x, y, AMOUNT);
    });

    it("answers for a wallet left unchanged meanwhile through the registry until it is republished", async function () {
      const { accounts, suite } = await loadFixture(staleCopyOfX);
      const currency = suite.digitalCurrency;
      const registry = suite.identityRegistry;
      const { bankA, enterpriseY: y } = accounts;
      expect((await copyOf(currency, y.address)).current).to.equal(false);
      await expectTransferMoves(currency, y, bankA, AMOUNT);
      await registry.connect(accounts.admin).republish([y.address, bankA.address]);
      const { expiresAt } = await registry.entity(entityIdOf(CODES.enterpriseY));
      await expectCurrentCopies(
        currency,
        registry,
        [y.address],
        credential(expiresAt, EntityStatus.Active, EntityKind.Enterprise, NUMBER.enterpriseY),
      );
      await expectTransferMoves(currency, y, bankA, AMOUNT);
    });
  });

  describe(".pause() and .unpause() (the pause flag shares the gate's slot)", function () {
    it("emits Paused(pauser), refuses every movement with CurrencyPaused() before any KYC check", async function () {
      const { accounts, currency } = await fundedCurrency();
      const { centralBank, enterpriseX, enterpriseY, outsider, pauser } = accounts;
      await expect(currency.connect(pauser).pause()).to.emit(currency, "Paused").withArgs(pauser.address);
      expect(await currency.paused()).to.equal(true);
      for (const attempt of [
        () => currency.connect(enterpriseX).transfer(enterpriseY.address, AMOUNT),
        () => currency.connect(enterpriseX).transfer(outsider.address, AMOUNT),
        () => currency.connect(centralBank).mint(enterpriseX.address, AMOUNT),
      ]) {
        await expect(attempt()).to.be.revertedWithCustomError(currency, "CurrencyPaused").withArgs();
      }
    });

    it("refuses pause when paused with CurrencyPaused() and unpause when not with CurrencyNotPaused()", async function () {
      const { accounts, currency: funded } = await fundedCurrency();
      const currency = funded.connect(accounts.pauser);
      await expect(currency.unpause()).to.be.revertedWithCustomError(currency, "CurrencyNotPaused").withArgs();
      await currency.pause();
      await expect(currency.pause()).to.be.revertedWithCustomError(currency, "CurrencyPaused").withArgs();
      await expect(currency.unpause()).to.emit(currency, "Unpaused").withArgs(accounts.pauser.address);
      await expect(currency.unpause()).to.be.revertedWithCustomError(currency, "CurrencyNotPaused").withArgs();
      expect(await currency.paused()).to.equal(false);
    });

    it("leaves the subscription alone, and a change of subscription leaves the pause alone", async function () {
      const { accounts, suite, currency } = await fundedCurrency();
      const byAdmin = suite.identityRegistry.connect(accounts.admin);
      const { enterpriseX: x, enterpriseY: y, pauser } = accounts;
      await currency.connect(pauser).pause();
      expect(await currency.identitySubscription()).to.deep.equal([true, 1n]);
      expect((await copyOf(currency, x.address)).current).to.equal(true);

      await byAdmin.removeSubscriber(await currency.getAddress());
      expect(await currency.paused()).to.equal(true);
      await expect(currency.connect(x).transfer(y.address, AMOUNT))
        .to.be.revertedWithCustomError(currency, "CurrencyPaused")
        .withArgs();
      await byAdmin.addSubscriber(await currency.getAddress());
      expect(await currency.paused()).to.equal(true);

      await currency.connect(pauser).unpause();
      expect(await currency.identitySubscription()).to.deep.equal([true, 2n]);
      await expectTransferMoves(currency, x, y, AMOUNT);
    });
  });
});

describe("IdentityRegistry subscriptions", function () {
  describe(".addSubscriber()", function () {
    describe("when the admin subscribes a currency built for this registry", function () {
      it("emits SubscriberAdded, the gate emits IdentitySubscriptionChanged(true, 1), and it is listed", async function () {
        const { accounts, suite, spare } = await loadFixture(withSpareGate);
        const registry = suite.identityRegistry;
        const [currency, spareAddress] = await addressesOf(suite.digitalCurrency, spare);
        const tx = registry.connect(accounts.admin).addSubscriber(spareAddress);
        await expect(tx).to.emit(registry, "SubscriberAdded").withArgs(spareAddress);
        await expect(tx).to.emit(spare, "IdentitySubscriptionChanged").withArgs(true, 1n);
        expect(await spare.identitySubscription()).to.deep.equal([true, 1n]);
        expect([...(await registry.subscribers())]).to.have.members([
          currency,
          await suite.billLedger.getAddress(),
          spareAddress,
        ]);
      });

      it("publishes every later change to each subscriber", async function () {
        const { accounts, suite, spare } = await loadFixture(withSpareGate);
        const registry = suite.identityRegistry;
        await registry.connect(accounts.admin).addSubscriber(await spare.getAddress());
        await registry.connect(accounts.bankA).suspendEntity(ID_X);
        const { expiresAt } = await registry.entity(ID_X);
        const suspended = credential(expiresAt, EntityStatus.Suspended, EntityKind.Enterprise, NUMBER.enterpriseX);
        for (const gate of [suite.digitalCurrency, spare]) {
          await expectCurrentCopies(gate, registry, [accounts.enterpriseX.address], suspended);
        }
      });
    });

    describe("when the caller is not the admin", function () {
      it("reverts AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE)", async function () {
        const { accounts, suite, spare } = await loadFixture(withSpareGate);
        const registry = suite.identityRegistry;
        for (const caller of nonAdmins(accounts)) {
          await expect(registry.connect(caller).addSubscriber(await spare.getAddress()))
            .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, DEFAULT_ADMIN_ROLE);
        }
        expect([...(await registry.subscribers())]).to.have.members(
          await addressesOf(suite.digitalCurrency, suite.billLedger),
        );
      });
    });

    describe("when the subscriber is not a contract", function () {
      it("reverts IdentityNotAContract(account)", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const registry = suite.identityRegistry;
        await expect(registry.connect(accounts.admin).addSubscriber(accounts.outsider.address))
          .to.be.revertedWithCustomError(registry, "IdentityNotAContract")
          .withArgs(accounts.outsider.address);
      });
    });

    describe("when the subscriber is already subscribed", function () {
      it("reverts IdentityAlreadySubscribed(subscriber) and keeps its epoch", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const registry = suite.identityRegistry;
        const currency = await suite.digitalCurrency.getAddress();
        await expect(registry.connect(accounts.admin).addSubscriber(currency))
          .to.be.revertedWithCustomError(registry, "IdentityAlreadySubscribed")
          .withArgs(currency);
        expect(await suite.digitalCurrency.identitySubscription()).to.deep.equal([true, 1n]);
      });
    });

    describe("when the registry already publishes to MAX_SUBSCRIBERS contracts", function () {
      it("takes the 8th and reverts IdentityTooManySubscribers(8) for the 9th", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const registry = suite.identityRegistry.connect(accounts.admin);
        expect(await registry.MAX_SUBSCRIBERS()).to.equal(MAX_SUBSCRIBERS);
        // The platform module subscribes the currency and the bill ledger.
        for (let i = 3n; i <= MAX_SUBSCRIBERS; i++) {
          const gate = await deployGate(await registry.getAddress(), accounts, `G${i}`);
          await registry.addSubscriber(await gate.getAddress());
        }
        expect(await registry.subscribers()).to.have.lengthOf(Number(MAX_SUBSCRIBERS));
        const ninth = await deployGate(await registry.getAddress(), accounts, "G9");
        await expect(registry.addSubscriber(await ninth.getAddress()))
          .to.be.revertedWithCustomError(registry, "IdentityTooManySubscribers")
          .withArgs(MAX_SUBSCRIBERS);
        expect(await ninth.identitySubscription()).to.deep.equal([false, 0n]);
      });
    });

    describe("when the subscriber checks identities against another registry", function () {
      it("reverts with the gate's IdentitySubscriberUnauthorized(registry) from onSubscribed", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const registry = suite.identityRegistry;
        const other = await hre.ethers.deployContract("IdentityRegistry", [
          ADMIN_DELAY,
          accounts.admin.address,
          [accounts.bankA.address],
        ]);
        const foreignGate = await deployGate(await other.getAddress(), accounts, "FOREIGN");
        await expect(registry.connect(accounts.admin).addSubscriber(await foreignGate.getAddress()))
          .to.be.revertedWithCustomError(foreignGate, "IdentitySubscriberUnauthorized")
          .withArgs(await registry.getAddress());
        expect([...(await registry.subscribers())]).to.have.members(
          await addressesOf(suite.digitalCurrency, suite.billLedger),
        );
        expect(await foreignGate.identitySubscription()).to.deep.equal([false, 0n]);
      });
    });

    describe("when the subscriber has no hooks (a plain ERC-20)", function () {
      it("reverts without reason data (the hook call hits no function) and lists nothing", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const registry = suite.identityRegistry;
        const plain = await hre.ethers.deployContract("PlainERC20", [0]);
        await expect(
          registry.connect(accounts.admin).addSubscriber(await plain.getAddress()),
        ).to.be.revertedWithoutReason();
        expect([...(await registry.subscribers())]).to.have.members(
          await addressesOf(suite.digitalCurrency, suite.billLedger),
        );
      });
    });
  });

  describe(".removeSubscriber()", function () {
    describe("when the admin removes subscribers", function () {
      it("emits SubscriberRemoved and swaps the last one into the gap, keeping the others", async function () {
        const { accounts, suite, gates } = await loadFixture(withFourSubscribers);
        const registry = suite.identityRegistry.connect(accounts.admin);
        const [currency, g1, g2, g3] = await addressesOf(suite.digitalCurrency, ...gates);
        // The platform module subscribed the ledger and the currency, in the order Ignition sent them.
        const platform = [...(await registry.subscribers())].slice(0, 2);
        expect(platform).to.have.members(await addressesOf(suite.digitalCurrency, suite.billLedger));
        expect(await registry.subscribers()).to.deep.equal([...platform, g1, g2, g3]);
        const ledger = platform.find((a) => a !== currency)!;
        const withoutCurrency = platform.map((a) => (a === currency ? g3 : a));

        const tx = registry.removeSubscriber(currency);
        await expect(tx).to.emit(registry, "SubscriberRemoved").withArgs(currency);
        await expect(tx).to.emit(suite.digitalCurrency, "IdentitySubscriptionChanged").withArgs(false, 1n);
        expect(await registry.subscribers()).to.deep.equal([...withoutCurrency, g1, g2]);

        await expect(registry.removeSubscriber(ledger)).to.emit(registry, "SubscriberRemoved").withArgs(ledger);
        await expect(registry.removeSubscriber(g1)).to.emit(registry, "SubscriberRemoved").withArgs(g1);
        expect([...(await registry.subscribers())]).to.have.members([g3, g2]);

        await expect(registry.removeSubscriber(g2))
          .to.emit(gates[1], "IdentitySubscriptionChanged")
          .withArgs(false, 1n);
        expect(await registry.subscribers()).to.deep.equal([g3]);
      });

      it("publishes to the remaining subscribers only", async function () {
        const { accounts, suite, gates } = await loadFixture(withFourSubscribers);
        const registry = suite.identityRegistry;
        const [g1, g2, g3] = gates;
        const x = accounts.enterpriseX.address;
        await registry.connect(accounts.admin).removeSubscriber(await suite.digitalCurrency.getAddress());
        await registry.connect(accounts.admin).removeSubscriber(await g2.getAddress());
        const removed = [suite.digitalCurrency, g2];
        const copiesBefore = await Promise.all(removed.map(async (gate) => (await copyOf(gate, x)).copy));
        expect(copiesBefore[0][1], "the currency's copy says Active").to.equal(BigInt(EntityStatus.Active));
        await registry.connect(accounts.bankA).suspendEntity(ID_X);
        const { expiresAt } = await registry.entity(ID_X);
        for (const gate of [g1, g3]) {
          await expectCurrentCopies(
            gate,
            registry,
            [x],
            credential(expiresAt, EntityStatus.Suspended, EntityKind.Enterprise, NUMBER.enterpriseX),
          );
        }
        for (const [i, gate] of removed.entries()) {
          expect(await copyOf(gate, x), `removed gate ${i}`).to.deep.equal({ copy: copiesBefore[i], current: false });
        }
      });
    });

    describe("when the contract is not subscribed", function () {
      it("reverts IdentityNotSubscribed(subscriber), also on a second removal", async function () {
        const { accounts, suite, spare } = await loadFixture(withSpareGate);
        const registry = suite.identityRegistry.connect(accounts.admin);
        const [currency, spareAddress] = await addressesOf(suite.digitalCurrency, spare);
        for (const never of [spareAddress, accounts.outsider.address]) {
          await expect(registry.removeSubscriber(never))
            .to.be.revertedWithCustomError(registry, "IdentityNotSubscribed")
            .withArgs(never);
        }
        await registry.removeSubscriber(currency);
        await expect(registry.removeSubscriber(currency))
          .to.be.revertedWithCustomError(registry, "IdentityNotSubscribed")
          .withArgs(currency);
        expect(await registry.subscribers()).to.deep.equal([await suite.billLedger.getAddress()]);
      });
    });

    describe("when the caller is not the admin", function () {
      it("reverts AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE)", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const registry = suite.identityRegistry;
        const currency = await suite.digitalCurrency.getAddress();
        for (const caller of nonAdmins(accounts)) {
          await expect(registry.connect(caller).removeSubscriber(currency))
            .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, DEFAULT_ADMIN_ROLE);
        }
        expect(await suite.digitalCurrency.identitySubscription()).to.deep.equal([true, 1n]);
      });
    });
  });

  describe(".republish()", function () {
    describe("when wallets were registered before the subscription", function () {
      it("has the new subscriber ask the registry until the admin republishes them", async function () {
        const { accounts, suite, spare } = await loadFixture(withSpareGate);
        const registry = suite.identityRegistry;
        const { admin, centralBank, enterpriseX: x, enterpriseY: y } = accounts;
        await registry.connect(admin).addSubscriber(await spare.getAddress());
        for (const wallet of [x, y, centralBank]) {
          expect((await copyOf(spare, wallet.address)).current, wallet.address).to.equal(false);
        }
        await expect(spare.connect(centralBank).mint(x.address, AMOUNT)).to.changeTokenBalance(spare, x, AMOUNT);

        await registry.connect(admin).republish([x.address, y.address]);
        const { expiresAt: xExpiry } = await registry.entity(ID_X);
        const { expiresAt: yExpiry } = await registry.entity(entityIdOf(CODES.enterpriseY));
        await expectCurrentCopies(
          spare,
          registry,
          [x.address],
          credential(xExpiry, EntityStatus.Active, EntityKind.Enterprise, NUMBER.enterpriseX),
        );
        await expectCurrentCopies(
          spare,
          registry,
          [y.address],
          credential(yExpiry, EntityStatus.Active, EntityKind.Enterprise, NUMBER.enterpriseY),
        );
        expect((await copyOf(spare, centralBank.address)).current, "not republished").to.equal(false);
        await expectTransferMoves(spare, x, y, AMOUNT);
      });
    });

    describe("when a wallet is unknown to the registry", function () {
      it("writes a current all-zero copy, and the wallet stays refused", async function () {
        const { accounts, suite, currency } = await fundedCurrency();
        const { admin, enterpriseX, outsider } = accounts;
        await suite.identityRegistry.connect(admin).republish([outsider.address]);
        expect(await copyOf(currency, outsider.address)).to.deep.equal({ copy: NO_CREDENTIAL, current: true });
        await expectUnverified(
          currency,
          currency.connect(enterpriseX).transfer(outsider.address, AMOUNT),
          outsider.address,
        );
      });
    });

    describe("when the caller is not the admin", function () {
      it("reverts AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE)", async function () {
        const { accounts, suite, spare } = await loadFixture(withSpareGate);
        const registry = suite.identityRegistry;
        await registry.connect(accounts.admin).addSubscriber(await spare.getAddress());
        for (const caller of nonAdmins(accounts)) {
          await expect(registry.connect(caller).republish([accounts.enterpriseX.address]))
            .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, DEFAULT_ADMIN_ROLE);
        }
        expect((await copyOf(spare, accounts.enterpriseX.address)).current).to.equal(false);
      });
    });
  });

  describe(".credentialOf()", function () {
    it("is the entity's expiry, status and kind for its wallet, and all zero for an unknown one", async function () {
      const { accounts, suite } = await loadFixture(verifiedPlatform);
      const registry = suite.identityRegistry;
      const { expiresAt } = await registry.entity(entityIdOf(CODES.bankB));
      expect(await registryCredential(registry, accounts.bankB.address)).to.deep.equal(
        credential(expiresAt, EntityStatus.Active, EntityKind.Bank, NUMBER.bankB),
      );
      expect(await registryCredential(registry, accounts.regulator.address)).to.deep.equal(
        credential(
          (await registry.entity(entityIdOf(CODES.regulator))).expiresAt,
          EntityStatus.Active,
          EntityKind.Regulator,
          NUMBER.regulator,
        ),
      );
      expect(await registryCredential(registry, accounts.outsider.address)).to.deep.equal(NO_CREDENTIAL);
      expect(await registryCredential(registry, hre.ethers.ZeroAddress)).to.deep.equal(NO_CREDENTIAL);
    });
  });
});
