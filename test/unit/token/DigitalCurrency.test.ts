import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  ADMIN_DELAY,
  CODES,
  ONE_YEAR,
  deployedPlatform,
  fundedPlatform,
  unsubscribedPlatform,
  verifiedPlatform,
} from "../../fixtures/platform";
import { EntityKind, entityIdOf, registerEntity } from "../../../tasks/lib/identity";
import { shouldBehaveLikeKycGated, signPermit } from "../../behaviors/kycGated";
import type { KycGatedAct, KycGatedContext } from "../../behaviors/kycGated";
import { expectTransferMoves, fundedCurrency } from "../../fixtures/currencyCases";
import type { DigitalCurrency } from "../../../typechain-types";

const { MaxUint256, ZeroAddress } = hre.ethers;

/** What `fundedPlatform` gives each bank and enterprise, in fen. */
const FUNDED = 1_000_000_00n;
const AMOUNT = 100_00n;
const MAX_SUPPLY = 2n ** 128n - 1n;
const MAX_FROZEN = 2n ** 120n - 1n;

async function latestPlus(seconds: bigint): Promise<bigint> {
  return BigInt(await time.latest()) + seconds;
}

type Platform = typeof fundedPlatform;

/**
 * enterpriseX (verified by bank A) is the subject; enterpriseY (verified by bank B) the counterparty. `platform`
 * decides which path answers the gate: the currency's own copies (`fundedPlatform`, subscribed) or the registry
 * (`unsubscribedPlatform`, the fallback).
 */
async function kycContext(platform: Platform): Promise<KycGatedContext> {
  const { accounts, suite } = await loadFixture(platform);
  const currency = suite.digitalCurrency;
  const { admin, bankA, bankB, centralBank, enterpriseX, enterpriseY, outsider } = accounts;
  const acts: KycGatedAct[] = [
    { name: "transfer from", run: (s, c) => currency.connect(s).transfer(c.address, AMOUNT) },
    { name: "transfer to", run: (s, c) => currency.connect(c).transfer(s.address, AMOUNT) },
    {
      name: "transferFrom as owner",
      setup: async (s, c) => (await currency.connect(s).approve(c.address, MaxUint256)).wait(),
      run: (s, c) => currency.connect(c).transferFrom(s.address, c.address, AMOUNT),
    },
    {
      name: "transferFrom as recipient",
      setup: async (_s, c) => (await currency.connect(c).approve(c.address, MaxUint256)).wait(),
      run: (s, c) => currency.connect(c).transferFrom(c.address, s.address, AMOUNT),
    },
    {
      name: "transferFrom as spender",
      setup: async (s, c) => (await currency.connect(c).approve(s.address, MaxUint256)).wait(),
      run: (s, c) => currency.connect(s).transferFrom(c.address, bankB.address, AMOUNT),
    },
    { name: "approve as owner", run: (s, c) => currency.connect(s).approve(c.address, AMOUNT) },
    { name: "approve to spender", run: (s, c) => currency.connect(c).approve(s.address, AMOUNT) },
    { name: "mint to", run: (s) => currency.connect(centralBank).mint(s.address, AMOUNT) },
    {
      name: "permit as owner",
      run: async (s, c) => {
        const { v, r, s: sigS } = await signPermit(currency, s, c.address, AMOUNT, MaxUint256);
        return currency.connect(c).permit(s.address, c.address, AMOUNT, MaxUint256, v, r, sigS);
      },
    },
    {
      name: "permit to spender",
      run: async (s, c) => {
        const { v, r, s: sigS } = await signPermit(currency, c, s.address, AMOUNT, MaxUint256);
        return currency.connect(c).permit(c.address, s.address, AMOUNT, MaxUint256, v, r, sigS);
      },
    },
  ];
  return {
    token: currency,
    registry: suite.identityRegistry,
    registryAdmin: admin,
    provider: bankA,
    subjectEntityId: entityIdOf(CODES.enterpriseX),
    subject: enterpriseX,
    stranger: outsider,
    counterparty: enterpriseY,
    acts,
    expectedRevert: (account) => ({ contract: currency, error: "CurrencyUnverifiedAccount", args: [account] }),
  };
}

/** Whether the currency's copies of the subject and the counterparty are current, i.e. which path answers. */
async function copiesCurrent(platform: Platform): Promise<boolean[]> {
  const { accounts, suite } = await loadFixture(platform);
  const wallets = [accounts.enterpriseX, accounts.enterpriseY];
  return Promise.all(wallets.map(async (w) => (await suite.digitalCurrency.cachedCredentialOf(w.address)).current));
}

/** A regulator-only freeze method of the currency and how its refused-caller case is set up. */
interface RegulatorMethod {
  call: (currency: DigitalCurrency, account: string, amount: bigint) => Promise<unknown>;
  /** Whether the method takes an amount, which must not be zero. */
  takesAmount?: boolean;
  /** What the regulator does first in the zero-amount and refused-caller cases (an unfreeze needs a freeze). */
  setUp?: (byRegulator: DigitalCurrency, x: string) => Promise<unknown>;
  refused: { title: string; caller: "admin" | "centralBank" | "enterpriseX" };
}

/**
 * The guards every freeze method shares: a zero amount reverts CurrencyZeroAmount, the zero account
 * CurrencyZeroAddress, and a caller without REGULATOR_ROLE AccessControlUnauthorizedAccount(caller, role).
 */
function shouldRefuseZeroAddressAndStrangers({ call, takesAmount, setUp, refused }: RegulatorMethod) {
  /** The funded platform with the currency connected as the regulator, after `setUp` when `withSetUp`. */
  async function byRegulator(withSetUp: boolean) {
    const { accounts, currency } = await fundedCurrency();
    const x = accounts.enterpriseX.address;
    if (withSetUp) await setUp?.(currency.connect(accounts.regulator), x);
    return { accounts, currency, x, regulatorCurrency: currency.connect(accounts.regulator) };
  }

  if (takesAmount) {
    describe("when the amount is zero", function () {
      it("reverts CurrencyZeroAmount", async function () {
        const { x, regulatorCurrency } = await byRegulator(true);
        await expect(call(regulatorCurrency, x, 0n)).to.be.revertedWithCustomError(
          regulatorCurrency,
          "CurrencyZeroAmount",
        );
      });
    });
  }

  describe("when the account is the zero address", function () {
    it("reverts CurrencyZeroAddress", async function () {
      const { regulatorCurrency } = await byRegulator(false);
      await expect(call(regulatorCurrency, ZeroAddress, AMOUNT)).to.be.revertedWithCustomError(
        regulatorCurrency,
        "CurrencyZeroAddress",
      );
    });
  });

  describe("when the caller is not the regulator", function () {
    it(refused.title, async function () {
      const { accounts, currency, x } = await byRegulator(true);
      const caller = accounts[refused.caller];
      await expect(call(currency.connect(caller), x, AMOUNT))
        .to.be.revertedWithCustomError(currency, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, await currency.REGULATOR_ROLE());
    });
  });
}

describe("DigitalCurrency", function () {
  describe("KYC gate", function () {
    describe("when the registry publishes to it (its own copies answer)", function () {
      it("holds current copies of the subject and the counterparty", async function () {
        expect(await copiesCurrent(fundedPlatform)).to.deep.equal([true, true]);
      });

      shouldBehaveLikeKycGated(() => kycContext(fundedPlatform));
    });

    describe("when the registry does not publish to it (fallback path)", function () {
      it("holds no current copy, so the registry answers", async function () {
        expect(await copiesCurrent(unsubscribedPlatform)).to.deep.equal([false, false]);
        const { suite } = await loadFixture(unsubscribedPlatform);
        expect(await suite.digitalCurrency.identitySubscription()).to.deep.equal([false, 1n]);
      });

      shouldBehaveLikeKycGated(() => kycContext(unsubscribedPlatform));
    });
  });

  describe("constructor", function () {
    async function deployArgs() {
      const { accounts, suite } = await loadFixture(deployedPlatform);
      const registry = await suite.identityRegistry.getAddress();
      const { admin, centralBank, pauser, regulator } = accounts;
      return [
        "Digital CNY",
        "DCNY",
        registry,
        ADMIN_DELAY,
        admin.address,
        centralBank.address,
        pauser.address,
        regulator.address,
      ] as const;
    }

    it("sets the name, the symbol and two decimals (one unit is one fen)", async function () {
      const { suite } = await loadFixture(verifiedPlatform);
      const currency = suite.digitalCurrency;
      expect(await currency.name()).to.equal("Digital CNY");
      expect(await currency.symbol()).to.equal("DCNY");
      expect(await currency.decimals()).to.equal(2n);
      expect(await currency.totalSupply()).to.equal(0n);
    });

    it("grants the admin, issuer, pauser and regulator roles to the given wallets and no more", async function () {
      const { accounts, suite } = await loadFixture(verifiedPlatform);
      const currency = suite.digitalCurrency;
      const { admin, centralBank, pauser, regulator } = accounts;
      const [adminRole, issuer, pauserRole, regulatorRole] = await Promise.all([
        currency.DEFAULT_ADMIN_ROLE(),
        currency.ISSUER_ROLE(),
        currency.PAUSER_ROLE(),
        currency.REGULATOR_ROLE(),
      ]);
      expect(await currency.defaultAdmin()).to.equal(admin.address);
      expect(await currency.defaultAdminDelay()).to.equal(ADMIN_DELAY);
      expect(await currency.hasRole(adminRole, admin.address)).to.equal(true);
      expect(await currency.hasRole(issuer, centralBank.address)).to.equal(true);
      expect(await currency.hasRole(pauserRole, pauser.address)).to.equal(true);
      expect(await currency.hasRole(regulatorRole, regulator.address)).to.equal(true);
      expect(await currency.hasRole(issuer, admin.address)).to.equal(false);
      expect(await currency.hasRole(regulatorRole, centralBank.address)).to.equal(false);
      expect(await currency.MAX_SUPPLY()).to.equal(MAX_SUPPLY);
    });

    it("checks every wallet against the given registry", async function () {
      const { suite } = await loadFixture(verifiedPlatform);
      expect(await suite.digitalCurrency.identityRegistry()).to.equal(await suite.identityRegistry.getAddress());
    });

    describe("when a zero address is given", function () {
      for (const [index, role] of [
        [2, "registry"],
        [5, "issuer"],
        [6, "pauser"],
        [7, "regulator"],
      ] as const) {
        it(`reverts CurrencyZeroAddress for the ${role}`, async function () {
          const args: unknown[] = [...(await deployArgs())];
          args[index] = ZeroAddress;
          const factory = await hre.ethers.getContractFactory("DigitalCurrency");
          await expect(factory.deploy(...(args as Parameters<typeof factory.deploy>))).to.be.revertedWithCustomError(
            factory,
            "CurrencyZeroAddress",
          );
        });
      }

      it("reverts AccessControlInvalidDefaultAdmin for the admin", async function () {
        const args: unknown[] = [...(await deployArgs())];
        args[4] = ZeroAddress;
        const factory = await hre.ethers.getContractFactory("DigitalCurrency");
        await expect(factory.deploy(...(args as Parameters<typeof factory.deploy>)))
          .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
          .withArgs(ZeroAddress);
      });
    });
  });

  describe(".mint()", function () {
    describe("when the issuer mints to a verified wallet", function () {
      it("credits the wallet, raises the supply and emits Transfer from zero", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { centralBank, enterpriseX } = accounts;
        const tx = currency.connect(centralBank).mint(enterpriseX.address, AMOUNT);
        await expect(tx).to.changeTokenBalances(currency, [enterpriseX, centralBank], [AMOUNT, 0n]);
        await expect(tx).to.emit(currency, "Transfer").withArgs(ZeroAddress, enterpriseX.address, AMOUNT);
        expect(await currency.totalSupply()).to.equal(4n * FUNDED + AMOUNT);
      });

      it("credits a frozen wallet too (a freeze stops sending, not receiving)", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { centralBank, enterpriseX, regulator } = accounts;
        await currency.connect(regulator).freezeAccount(enterpriseX.address);
        await expect(currency.connect(centralBank).mint(enterpriseX.address, AMOUNT)).to.changeTokenBalance(
          currency,
          enterpriseX,
          AMOUNT,
        );
      });
    });

    describe("when the caller is not the issuer", function () {
      it("reverts AccessControlUnauthorizedAccount naming the caller and ISSUER_ROLE", async function () {
        const { accounts, currency } = await fundedCurrency();
        await expect(currency.connect(accounts.bankA).mint(accounts.bankA.address, AMOUNT))
          .to.be.revertedWithCustomError(currency, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.bankA.address, await currency.ISSUER_ROLE());
      });
    });

    describe("when the amount is zero", function () {
      it("reverts CurrencyZeroAmount", async function () {
        const { accounts, currency } = await fundedCurrency();
        await expect(
          currency.connect(accounts.centralBank).mint(accounts.enterpriseX.address, 0n),
        ).to.be.revertedWithCustomError(currency, "CurrencyZeroAmount");
      });
    });

    describe("when the recipient is unverified", function () {
      it("reverts CurrencyUnverifiedAccount naming the recipient", async function () {
        const { accounts, currency } = await fundedCurrency();
        await expect(currency.connect(accounts.centralBank).mint(accounts.outsider.address, AMOUNT))
          .to.be.revertedWithCustomError(currency, "CurrencyUnverifiedAccount")
          .withArgs(accounts.outsider.address);
      });
    });

    describe("when the recipient is the zero address", function () {
      it("reverts ERC20InvalidReceiver", async function () {
        const { accounts, currency } = await fundedCurrency();
        await expect(currency.connect(accounts.centralBank).mint(ZeroAddress, AMOUNT))
          .to.be.revertedWithCustomError(currency, "ERC20InvalidReceiver")
          .withArgs(ZeroAddress);
      });
    });

    describe("when the supply would pass 2^128 - 1", function () {
      it("mints up to the cap exactly and reverts CurrencySupplyCapExceeded one unit beyond", async function () {
        const { accounts, suite } = await loadFixture(verifiedPlatform);
        const cash = suite.digitalCurrency.connect(accounts.centralBank);
        const { enterpriseX, enterpriseY } = accounts;
        await cash.mint(enterpriseX.address, MAX_SUPPLY - 5n);
        await expect(cash.mint(enterpriseY.address, 6n))
          .to.be.revertedWithCustomError(cash, "CurrencySupplyCapExceeded")
          .withArgs(MAX_SUPPLY - 5n, 6n, MAX_SUPPLY);
        await expect(cash.mint(enterpriseY.address, 5n)).to.changeTokenBalance(cash, enterpriseY, 5n);
        expect(await cash.totalSupply()).to.equal(MAX_SUPPLY);
        await expect(cash.mint(enterpriseY.address, 1n))
          .to.be.revertedWithCustomError(cash, "CurrencySupplyCapExceeded")
          .withArgs(MAX_SUPPLY, 1n, MAX_SUPPLY);
        // Balances at the cap still move without overflow.
        await expect(
          suite.digitalCurrency.connect(enterpriseX).transfer(enterpriseY.address, MAX_SUPPLY - 5n),
        ).to.changeTokenBalances(cash, [enterpriseX, enterpriseY], [-(MAX_SUPPLY - 5n), MAX_SUPPLY - 5n]);
        expect(await cash.balanceOf(enterpriseY.address)).to.equal(MAX_SUPPLY);
      });

      it("reverts CurrencySupplyCapExceeded for an amount that would wrap a uint256", async function () {
        const { accounts, suite } = await loadFixture(fundedPlatform);
        const cash = suite.digitalCurrency.connect(accounts.centralBank);
        await expect(cash.mint(accounts.enterpriseX.address, MaxUint256))
          .to.be.revertedWithCustomError(cash, "CurrencySupplyCapExceeded")
          .withArgs(4n * FUNDED, MaxUint256, MAX_SUPPLY);
      });
    });
  });

  describe(".burn()", function () {
    async function issuerHolding() {
      const { accounts, suite } = await loadFixture(fundedPlatform);
      const cash = suite.digitalCurrency.connect(accounts.centralBank);
      await cash.mint(accounts.centralBank.address, AMOUNT);
      return { accounts, suite, cash };
    }

    describe("when the issuer burns from its own balance", function () {
      it("debits the issuer, lowers the supply and emits Transfer to zero", async function () {
        const { accounts, cash } = await issuerHolding();
        const supply = await cash.totalSupply();
        const tx = cash.burn(AMOUNT - 1n);
        await expect(tx).to.changeTokenBalance(cash, accounts.centralBank, -(AMOUNT - 1n));
        await expect(tx)
          .to.emit(cash, "Transfer")
          .withArgs(accounts.centralBank.address, ZeroAddress, AMOUNT - 1n);
        expect(await cash.totalSupply()).to.equal(supply - (AMOUNT - 1n));
      });
    });

    describe("when the amount is zero", function () {
      it("reverts CurrencyZeroAmount", async function () {
        const { cash } = await issuerHolding();
        await expect(cash.burn(0n)).to.be.revertedWithCustomError(cash, "CurrencyZeroAmount");
      });
    });

    describe("when the amount exceeds the issuer's balance", function () {
      it("reverts ERC20InsufficientBalance naming the issuer, its balance and the amount", async function () {
        const { accounts, cash } = await issuerHolding();
        await expect(cash.burn(AMOUNT + 1n))
          .to.be.revertedWithCustomError(cash, "ERC20InsufficientBalance")
          .withArgs(accounts.centralBank.address, AMOUNT, AMOUNT + 1n);
      });
    });

    describe("when the issuer's account or part of its balance is frozen", function () {
      it("reverts CurrencyAccountFrozen or CurrencyInsufficientAvailableBalance", async function () {
        const { accounts, suite, cash } = await issuerHolding();
        const byRegulator = suite.digitalCurrency.connect(accounts.regulator);
        const issuer = accounts.centralBank.address;
        await byRegulator.freezeAmount(issuer, 30_00n);
        await expect(cash.burn(AMOUNT))
          .to.be.revertedWithCustomError(cash, "CurrencyInsufficientAvailableBalance")
          .withArgs(issuer, AMOUNT - 30_00n, AMOUNT);
        await byRegulator.freezeAccount(issuer);
        await expect(cash.burn(1n)).to.be.revertedWithCustomError(cash, "CurrencyAccountFrozen").withArgs(issuer);
      });
    });

    describe("when the caller is not the issuer", function () {
      it("reverts AccessControlUnauthorizedAccount, even for a holder burning its own money", async function () {
        const { accounts, currency } = await fundedCurrency();
        await expect(currency.connect(accounts.enterpriseX).burn(AMOUNT))
          .to.be.revertedWithCustomError(currency, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.enterpriseX.address, await currency.ISSUER_ROLE());
      });
    });
  });

  describe(".transfer()", function () {
    describe("when both sides are verified", function () {
      it("moves the amount and emits Transfer", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, enterpriseY } = accounts;
        const tx = currency.connect(enterpriseX).transfer(enterpriseY.address, AMOUNT);
        await expect(tx).to.changeTokenBalances(currency, [enterpriseX, enterpriseY], [-AMOUNT, AMOUNT]);
        await expect(tx).to.emit(currency, "Transfer").withArgs(enterpriseX.address, enterpriseY.address, AMOUNT);
      });
    });

    describe("when the amount exceeds the balance", function () {
      it("reverts ERC20InsufficientBalance", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, enterpriseY } = accounts;
        await expect(currency.connect(enterpriseX).transfer(enterpriseY.address, FUNDED + 1n))
          .to.be.revertedWithCustomError(currency, "ERC20InsufficientBalance")
          .withArgs(enterpriseX.address, FUNDED, FUNDED + 1n);
      });
    });

    describe("when the recipient is the zero address", function () {
      it("reverts ERC20InvalidReceiver (money is burned only by the issuer)", async function () {
        const { accounts, currency } = await fundedCurrency();
        await expect(currency.connect(accounts.enterpriseX).transfer(ZeroAddress, AMOUNT))
          .to.be.revertedWithCustomError(currency, "ERC20InvalidReceiver")
          .withArgs(ZeroAddress);
      });
    });
  });

  describe(".approve()", function () {
    it("sets the allowance and emits Approval", async function () {
      const { accounts, currency } = await fundedCurrency();
      const { enterpriseX, enterpriseY } = accounts;
      await expect(currency.connect(enterpriseX).approve(enterpriseY.address, AMOUNT))
        .to.emit(currency, "Approval")
        .withArgs(enterpriseX.address, enterpriseY.address, AMOUNT);
      expect(await currency.allowance(enterpriseX.address, enterpriseY.address)).to.equal(AMOUNT);
    });
  });

  describe(".transferFrom()", function () {
    describe("when the spender holds enough allowance", function () {
      it("moves the owner's money, lowers the allowance and emits Transfer", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { bankA, enterpriseX, enterpriseY } = accounts;
        await currency.connect(enterpriseX).approve(bankA.address, 3n * AMOUNT);
        const tx = currency.connect(bankA).transferFrom(enterpriseX.address, enterpriseY.address, AMOUNT);
        await expect(tx).to.changeTokenBalances(currency, [enterpriseX, enterpriseY, bankA], [-AMOUNT, AMOUNT, 0n]);
        await expect(tx).to.emit(currency, "Transfer").withArgs(enterpriseX.address, enterpriseY.address, AMOUNT);
        expect(await currency.allowance(enterpriseX.address, bankA.address)).to.equal(2n * AMOUNT);
      });

      it("leaves an infinite allowance untouched", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { bankA, enterpriseX, enterpriseY } = accounts;
        await currency.connect(enterpriseX).approve(bankA.address, MaxUint256);
        await currency.connect(bankA).transferFrom(enterpriseX.address, enterpriseY.address, AMOUNT);
        expect(await currency.allowance(enterpriseX.address, bankA.address)).to.equal(MaxUint256);
      });
    });

    describe("when the allowance is too small", function () {
      it("reverts ERC20InsufficientAllowance naming the spender, allowance and amount", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { bankA, enterpriseX, enterpriseY } = accounts;
        await currency.connect(enterpriseX).approve(bankA.address, AMOUNT - 1n);
        await expect(currency.connect(bankA).transferFrom(enterpriseX.address, enterpriseY.address, AMOUNT))
          .to.be.revertedWithCustomError(currency, "ERC20InsufficientAllowance")
          .withArgs(bankA.address, AMOUNT - 1n, AMOUNT);
      });
    });
  });

  describe(".permit()", function () {
    it("sets the allowance from the owner's signature and consumes its nonce", async function () {
      const { accounts, currency } = await fundedCurrency();
      const { enterpriseX, enterpriseY } = accounts;
      const deadline = await latestPlus(3600n);
      const { v, r, s } = await signPermit(currency, enterpriseX, enterpriseY.address, AMOUNT, deadline);
      await expect(
        currency.connect(enterpriseY).permit(enterpriseX.address, enterpriseY.address, AMOUNT, deadline, v, r, s),
      )
        .to.emit(currency, "Approval")
        .withArgs(enterpriseX.address, enterpriseY.address, AMOUNT);
      expect(await currency.allowance(enterpriseX.address, enterpriseY.address)).to.equal(AMOUNT);
      expect(await currency.nonces(enterpriseX.address)).to.equal(1n);
      await expect(
        currency.connect(enterpriseY).permit(enterpriseX.address, enterpriseY.address, AMOUNT, deadline, v, r, s),
      )
        .to.be.revertedWithCustomError(currency, "ERC2612InvalidSigner")
        .withArgs(anyValue, enterpriseX.address);
    });

    it("reverts ERC2612ExpiredSignature after the deadline", async function () {
      const { accounts, currency } = await fundedCurrency();
      const { enterpriseX, enterpriseY } = accounts;
      const deadline = await latestPlus(3600n);
      const { v, r, s } = await signPermit(currency, enterpriseX, enterpriseY.address, AMOUNT, deadline);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(currency.permit(enterpriseX.address, enterpriseY.address, AMOUNT, deadline, v, r, s))
        .to.be.revertedWithCustomError(currency, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });
  });

  describe(".pause()", function () {
    describe("when the pauser pauses", function () {
      it("emits Paused and stops transfer, transferFrom, mint and burn with CurrencyPaused", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { centralBank, bankA, enterpriseX, enterpriseY, pauser } = accounts;
        await currency.connect(centralBank).mint(centralBank.address, AMOUNT);
        await currency.connect(enterpriseX).approve(bankA.address, AMOUNT);
        await expect(currency.connect(pauser).pause()).to.emit(currency, "Paused").withArgs(pauser.address);
        expect(await currency.paused()).to.equal(true);
        const blocked = [
          () => currency.connect(enterpriseX).transfer(enterpriseY.address, AMOUNT),
          () => currency.connect(bankA).transferFrom(enterpriseX.address, enterpriseY.address, AMOUNT),
          () => currency.connect(centralBank).mint(enterpriseY.address, AMOUNT),
          () => currency.connect(centralBank).burn(AMOUNT),
        ];
        for (const attempt of blocked) {
          await expect(attempt()).to.be.revertedWithCustomError(currency, "CurrencyPaused");
        }
      });

      it("still lets owners approve and permit, and the regulator freeze", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, enterpriseY, pauser, regulator } = accounts;
        await currency.connect(pauser).pause();
        await expect(currency.connect(enterpriseX).approve(enterpriseY.address, AMOUNT))
          .to.emit(currency, "Approval")
          .withArgs(enterpriseX.address, enterpriseY.address, AMOUNT);
        const { v, r, s } = await signPermit(currency, enterpriseY, enterpriseX.address, AMOUNT, MaxUint256);
        await currency.permit(enterpriseY.address, enterpriseX.address, AMOUNT, MaxUint256, v, r, s);
        expect(await currency.allowance(enterpriseY.address, enterpriseX.address)).to.equal(AMOUNT);
        await expect(currency.connect(regulator).freezeAccount(enterpriseX.address))
          .to.emit(currency, "AccountFrozen")
          .withArgs(enterpriseX.address, regulator.address);
      });
    });

    describe("when already paused", function () {
      it("reverts CurrencyPaused", async function () {
        const { accounts, currency: funded } = await fundedCurrency();
        const currency = funded.connect(accounts.pauser);
        await currency.pause();
        await expect(currency.pause()).to.be.revertedWithCustomError(currency, "CurrencyPaused");
      });
    });

    describe("when the caller is not the pauser", function () {
      it("reverts AccessControlUnauthorizedAccount naming the caller and PAUSER_ROLE", async function () {
        const { accounts, currency } = await fundedCurrency();
        await expect(currency.connect(accounts.centralBank).pause())
          .to.be.revertedWithCustomError(currency, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.centralBank.address, await currency.PAUSER_ROLE());
      });
    });
  });

  describe(".unpause()", function () {
    describe("when the pauser unpauses", function () {
      it("emits Unpaused and lets money move again", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, enterpriseY, pauser } = accounts;
        await currency.connect(pauser).pause();
        await expect(currency.connect(pauser).unpause()).to.emit(currency, "Unpaused").withArgs(pauser.address);
        expect(await currency.paused()).to.equal(false);
        await expectTransferMoves(currency, enterpriseX, enterpriseY, AMOUNT);
      });
    });

    describe("when not paused", function () {
      it("reverts CurrencyNotPaused", async function () {
        const { accounts, currency } = await fundedCurrency();
        await expect(currency.connect(accounts.pauser).unpause()).to.be.revertedWithCustomError(
          currency,
          "CurrencyNotPaused",
        );
      });
    });

    describe("when the caller is not the pauser", function () {
      it("reverts AccessControlUnauthorizedAccount naming the caller and PAUSER_ROLE", async function () {
        const { accounts, currency } = await fundedCurrency();
        await currency.connect(accounts.pauser).pause();
        await expect(currency.connect(accounts.admin).unpause())
          .to.be.revertedWithCustomError(currency, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.admin.address, await currency.PAUSER_ROLE());
      });
    });
  });

  describe(".freezeAccount()", function () {
    describe("when the regulator freezes a holder", function () {
      it("emits AccountFrozen, marks the account and makes nothing available", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, regulator } = accounts;
        await expect(currency.connect(regulator).freezeAccount(enterpriseX.address))
          .to.emit(currency, "AccountFrozen")
          .withArgs(enterpriseX.address, regulator.address);
        expect(await currency.isAccountFrozen(enterpriseX.address)).to.equal(true);
        expect(await currency.availableBalanceOf(enterpriseX.address)).to.equal(0n);
        expect(await currency.balanceOf(enterpriseX.address)).to.equal(FUNDED);
      });

      it("stops the holder sending, directly or through a spender, with CurrencyAccountFrozen", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { bankA, enterpriseX, enterpriseY, regulator } = accounts;
        await currency.connect(enterpriseX).approve(bankA.address, AMOUNT);
        await currency.connect(regulator).freezeAccount(enterpriseX.address);
        await expect(currency.connect(enterpriseX).transfer(enterpriseY.address, 1n))
          .to.be.revertedWithCustomError(currency, "CurrencyAccountFrozen")
          .withArgs(enterpriseX.address);
        await expect(currency.connect(bankA).transferFrom(enterpriseX.address, enterpriseY.address, 1n))
          .to.be.revertedWithCustomError(currency, "CurrencyAccountFrozen")
          .withArgs(enterpriseX.address);
      });

      it("still lets the holder receive", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, enterpriseY, regulator } = accounts;
        await currency.connect(regulator).freezeAccount(enterpriseX.address);
        await expectTransferMoves(currency, enterpriseY, enterpriseX, AMOUNT);
      });
    });

    describe("when the account is already frozen", function () {
      it("reverts CurrencyAccountAlreadyFrozen", async function () {
        const { accounts, currency: funded } = await fundedCurrency();
        const currency = funded.connect(accounts.regulator);
        await currency.freezeAccount(accounts.enterpriseX.address);
        await expect(currency.freezeAccount(accounts.enterpriseX.address))
          .to.be.revertedWithCustomError(currency, "CurrencyAccountAlreadyFrozen")
          .withArgs(accounts.enterpriseX.address);
      });
    });

    shouldRefuseZeroAddressAndStrangers({
      call: (currency, account) => currency.freezeAccount(account),
      refused: {
        title: "reverts AccessControlUnauthorizedAccount naming the caller and REGULATOR_ROLE",
        caller: "admin",
      },
    });
  });

  describe(".unfreezeAccount()", function () {
    describe("when the regulator lifts a freeze", function () {
      it("emits AccountUnfrozen and lets the holder send again", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, enterpriseY, regulator } = accounts;
        await currency.connect(regulator).freezeAccount(enterpriseX.address);
        await expect(currency.connect(regulator).unfreezeAccount(enterpriseX.address))
          .to.emit(currency, "AccountUnfrozen")
          .withArgs(enterpriseX.address, regulator.address);
        expect(await currency.isAccountFrozen(enterpriseX.address)).to.equal(false);
        expect(await currency.availableBalanceOf(enterpriseX.address)).to.equal(FUNDED);
        await expectTransferMoves(currency, enterpriseX, enterpriseY, AMOUNT);
      });

      it("keeps a partial freeze in force", async function () {
        const { accounts, currency: funded } = await fundedCurrency();
        const currency = funded.connect(accounts.regulator);
        const x = accounts.enterpriseX.address;
        await currency.freezeAmount(x, AMOUNT);
        await currency.freezeAccount(x);
        await currency.unfreezeAccount(x);
        expect(await currency.frozenAmountOf(x)).to.equal(AMOUNT);
        expect(await currency.availableBalanceOf(x)).to.equal(FUNDED - AMOUNT);
      });
    });

    describe("when the account is not frozen", function () {
      it("reverts CurrencyAccountNotFrozen", async function () {
        const { accounts, currency: funded } = await fundedCurrency();
        const currency = funded.connect(accounts.regulator);
        await expect(currency.unfreezeAccount(accounts.enterpriseX.address))
          .to.be.revertedWithCustomError(currency, "CurrencyAccountNotFrozen")
          .withArgs(accounts.enterpriseX.address);
      });
    });

    shouldRefuseZeroAddressAndStrangers({
      call: (currency, account) => currency.unfreezeAccount(account),
      setUp: (byRegulator, x) => byRegulator.freezeAccount(x),
      refused: { title: "reverts AccessControlUnauthorizedAccount, even for the frozen holder", caller: "enterpriseX" },
    });
  });

  describe(".freezeAmount()", function () {
    describe("when the regulator freezes part of a balance", function () {
      it("emits AmountFrozen with the running total and leaves balance − frozen spendable", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, regulator } = accounts;
        const byRegulator = currency.connect(regulator);
        await expect(byRegulator.freezeAmount(enterpriseX.address, 300_00n))
          .to.emit(currency, "AmountFrozen")
          .withArgs(enterpriseX.address, 300_00n, 300_00n, regulator.address);
        await expect(byRegulator.freezeAmount(enterpriseX.address, 200_00n))
          .to.emit(currency, "AmountFrozen")
          .withArgs(enterpriseX.address, 200_00n, 500_00n, regulator.address);
        expect(await currency.frozenAmountOf(enterpriseX.address)).to.equal(500_00n);
        expect(await currency.availableBalanceOf(enterpriseX.address)).to.equal(FUNDED - 500_00n);
        expect(await currency.balanceOf(enterpriseX.address)).to.equal(FUNDED);
        expect(await currency.isAccountFrozen(enterpriseX.address)).to.equal(false);
      });

      it("lets the holder send exactly the available amount", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, enterpriseY, regulator } = accounts;
        await currency.connect(regulator).freezeAmount(enterpriseX.address, AMOUNT);
        const available = FUNDED - AMOUNT;
        await expectTransferMoves(currency, enterpriseX, enterpriseY, available);
        expect(await currency.balanceOf(enterpriseX.address)).to.equal(AMOUNT);
        expect(await currency.availableBalanceOf(enterpriseX.address)).to.equal(0n);
      });

      it("reverts CurrencyInsufficientAvailableBalance for one unit more than available", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { bankA, enterpriseX, enterpriseY, regulator } = accounts;
        await currency.connect(regulator).freezeAmount(enterpriseX.address, AMOUNT);
        const available = FUNDED - AMOUNT;
        await expect(currency.connect(enterpriseX).transfer(enterpriseY.address, available + 1n))
          .to.be.revertedWithCustomError(currency, "CurrencyInsufficientAvailableBalance")
          .withArgs(enterpriseX.address, available, available + 1n);
        await currency.connect(enterpriseX).approve(bankA.address, MaxUint256);
        await expect(currency.connect(bankA).transferFrom(enterpriseX.address, enterpriseY.address, FUNDED))
          .to.be.revertedWithCustomError(currency, "CurrencyInsufficientAvailableBalance")
          .withArgs(enterpriseX.address, available, FUNDED);
      });

      it("reverts ERC20InsufficientBalance for more than the whole balance", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, enterpriseY, regulator } = accounts;
        await currency.connect(regulator).freezeAmount(enterpriseX.address, AMOUNT);
        await expect(currency.connect(enterpriseX).transfer(enterpriseY.address, FUNDED + 1n))
          .to.be.revertedWithCustomError(currency, "ERC20InsufficientBalance")
          .withArgs(enterpriseX.address, FUNDED, FUNDED + 1n);
      });
    });

    describe("when the frozen amount exceeds the balance", function () {
      it("holds incoming money until the whole frozen amount is covered", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, enterpriseY, regulator } = accounts;
        const order = FUNDED + 500_00n;
        await expect(currency.connect(regulator).freezeAmount(enterpriseX.address, order))
          .to.emit(currency, "AmountFrozen")
          .withArgs(enterpriseX.address, order, order, regulator.address);
        expect(await currency.availableBalanceOf(enterpriseX.address)).to.equal(0n);

        await currency.connect(enterpriseY).transfer(enterpriseX.address, 300_00n);
        expect(await currency.availableBalanceOf(enterpriseX.address)).to.equal(0n);
        await expect(currency.connect(enterpriseX).transfer(enterpriseY.address, 1n))
          .to.be.revertedWithCustomError(currency, "CurrencyInsufficientAvailableBalance")
          .withArgs(enterpriseX.address, 0n, 1n);

        await currency.connect(enterpriseY).transfer(enterpriseX.address, 500_00n);
        expect(await currency.availableBalanceOf(enterpriseX.address)).to.equal(300_00n);
        await expectTransferMoves(currency, enterpriseX, enterpriseY, 300_00n);
        expect(await currency.balanceOf(enterpriseX.address)).to.equal(order);
      });
    });

    describe("when the frozen total would pass 2^120 - 1", function () {
      it("freezes up to the cap exactly and reverts CurrencyFreezeCapExceeded beyond", async function () {
        const { accounts, currency: funded } = await fundedCurrency();
        const currency = funded.connect(accounts.regulator);
        const x = accounts.enterpriseX.address;
        await expect(currency.freezeAmount(x, MAX_FROZEN + 1n))
          .to.be.revertedWithCustomError(currency, "CurrencyFreezeCapExceeded")
          .withArgs(x, 0n, MAX_FROZEN + 1n, MAX_FROZEN);
        await currency.freezeAmount(x, MAX_FROZEN - 1n);
        await expect(currency.freezeAmount(x, 1n))
          .to.emit(currency, "AmountFrozen")
          .withArgs(x, 1n, MAX_FROZEN, accounts.regulator.address);
        await expect(currency.freezeAmount(x, 1n))
          .to.be.revertedWithCustomError(currency, "CurrencyFreezeCapExceeded")
          .withArgs(x, MAX_FROZEN, 1n, MAX_FROZEN);
        await expect(currency.freezeAmount(x, MaxUint256))
          .to.be.revertedWithCustomError(currency, "CurrencyFreezeCapExceeded")
          .withArgs(x, MAX_FROZEN, MaxUint256, MAX_FROZEN);
      });
    });

    shouldRefuseZeroAddressAndStrangers({
      call: (currency, account, amount) => currency.freezeAmount(account, amount),
      takesAmount: true,
      refused: {
        title: "reverts AccessControlUnauthorizedAccount naming the caller and REGULATOR_ROLE",
        caller: "centralBank",
      },
    });
  });

  describe(".unfreezeAmount()", function () {
    describe("when the regulator releases part of a frozen amount", function () {
      it("emits AmountUnfrozen with what stays frozen and frees that much", async function () {
        const { accounts, currency } = await fundedCurrency();
        const { enterpriseX, regulator } = accounts;
        const byRegulator = currency.connect(regulator);
        await byRegulator.freezeAmount(enterpriseX.address, 500_00n);
        await expect(byRegulator.unfreezeAmount(enterpriseX.address, 200_00n))
          .to.emit(currency, "AmountUnfrozen")
          .withArgs(enterpriseX.address, 200_00n, 300_00n, regulator.address);
        expect(await currency.frozenAmountOf(enterpriseX.address)).to.equal(300_00n);
        expect(await currency.availableBalanceOf(enterpriseX.address)).to.equal(FUNDED - 300_00n);
        await expect(byRegulator.unfreezeAmount(enterpriseX.address, 300_00n))
          .to.emit(currency, "AmountUnfrozen")
          .withArgs(enterpriseX.address, 300_00n, 0n, regulator.address);
        expect(await currency.availableBalanceOf(enterpriseX.address)).to.equal(FUNDED);
      });
    });

    describe("when the amount exceeds what is frozen", function () {
      it("reverts CurrencyUnfreezeExceedsFrozen naming the account, what is frozen and the amount", async function () {
        const { accounts, currency: funded } = await fundedCurrency();
        const currency = funded.connect(accounts.regulator);
        const x = accounts.enterpriseX.address;
        await currency.freezeAmount(x, AMOUNT);
        await expect(currency.unfreezeAmount(x, AMOUNT + 1n))
          .to.be.revertedWithCustomError(currency, "CurrencyUnfreezeExceedsFrozen")
          .withArgs(x, AMOUNT, AMOUNT + 1n);
      });
    });

    shouldRefuseZeroAddressAndStrangers({
      call: (currency, account, amount) => currency.unfreezeAmount(account, amount),
      takesAmount: true,
      setUp: (byRegulator, x) => byRegulator.freezeAmount(x, AMOUNT),
      refused: {
        title: "reverts AccessControlUnauthorizedAccount naming the caller and REGULATOR_ROLE",
        caller: "enterpriseX",
      },
    });
  });

  describe("views", function () {
    describe(".availableBalanceOf()", function () {
      it("is the balance for an unfrozen holder and zero for an unknown wallet", async function () {
        const { accounts, currency } = await fundedCurrency();
        expect(await currency.availableBalanceOf(accounts.enterpriseX.address)).to.equal(FUNDED);
        expect(await currency.availableBalanceOf(accounts.outsider.address)).to.equal(0n);
      });

      it("is zero for a frozen account whatever its partial freeze", async function () {
        const { accounts, currency } = await fundedCurrency();
        const x = accounts.enterpriseX.address;
        await currency.connect(accounts.regulator).freezeAmount(x, AMOUNT);
        await currency.connect(accounts.regulator).freezeAccount(x);
        expect(await currency.availableBalanceOf(x)).to.equal(0n);
        expect(await currency.frozenAmountOf(x)).to.equal(AMOUNT);
      });
    });

    describe(".frozenAmountOf() and .isAccountFrozen()", function () {
      it("start at zero and false for every wallet", async function () {
        const { accounts, currency } = await fundedCurrency();
        for (const wallet of [accounts.enterpriseX, accounts.outsider]) {
          expect(await currency.frozenAmountOf(wallet.address)).to.equal(0n);
          expect(await currency.isAccountFrozen(wallet.address)).to.equal(false);
        }
      });
    });

    describe(".identityRegistry()", function () {
      it("returns the registry the platform module wired in", async function () {
        const { suite } = await loadFixture(fundedPlatform);
        const registry = await suite.digitalCurrency.identityRegistry();
        expect(registry).to.equal(await suite.identityRegistry.getAddress());
      });
    });
  });

  describe("regulator wallets", function () {
    /** A wallet with money that the registry now lists as a Regulator's (an enterprise wallet moved over). */
    async function fundedRegulatorWallet() {
      const { accounts, suite, currency } = await fundedCurrency();
      const registry = suite.identityRegistry.connect(accounts.bankA);
      const [wallet] = accounts.extra;
      const expiresAt = await latestPlus(ONE_YEAR);
      await registerEntity(registry, {
        code: "91110000MA0REGW001",
        kind: EntityKind.Enterprise,
        jurisdiction: "CN",
        expiresAt,
        wallets: [wallet.address],
      });
      await currency.connect(accounts.centralBank).mint(wallet.address, AMOUNT);
      await (await registry.unlinkWallet(wallet.address)).wait();
      await registerEntity(registry, {
        code: "11100000000000002R",
        kind: EntityKind.Regulator,
        jurisdiction: "CN",
        expiresAt,
        wallets: [wallet.address],
      });
      return { accounts, currency, wallet };
    }

    async function regulatorSetup() {
      const { accounts, suite } = await loadFixture(fundedPlatform);
      return { accounts, currency: suite.digitalCurrency, regulator: accounts.regulator };
    }

    describe("when money would go to a regulator wallet", function () {
      it("reverts CurrencyRegulatorAccount for transfer, transferFrom and mint", async function () {
        const { accounts, currency, regulator } = await regulatorSetup();
        const { centralBank, enterpriseX } = accounts;
        await currency.connect(enterpriseX).approve(enterpriseX.address, AMOUNT);
        const attempts = [
          () => currency.connect(enterpriseX).transfer(regulator.address, AMOUNT),
          () => currency.connect(enterpriseX).transferFrom(enterpriseX.address, regulator.address, AMOUNT),
          () => currency.connect(centralBank).mint(regulator.address, AMOUNT),
        ];
        for (const attempt of attempts) {
          await expect(attempt())
            .to.be.revertedWithCustomError(currency, "CurrencyRegulatorAccount")
            .withArgs(regulator.address);
        }
      });
    });

    describe("when a regulator wallet holding money would send it", function () {
      it("reverts CurrencyRegulatorAccount", async function () {
        const { accounts, currency, wallet } = await fundedRegulatorWallet();
        expect(await currency.balanceOf(wallet.address)).to.equal(AMOUNT);
        await expect(currency.connect(wallet).transfer(accounts.enterpriseX.address, AMOUNT))
          .to.be.revertedWithCustomError(currency, "CurrencyRegulatorAccount")
          .withArgs(wallet.address);
      });
    });

    describe("when a regulator wallet would approve or be approved", function () {
      it("reverts CurrencyRegulatorAccount for approve and permit, as owner and as spender", async function () {
        const { accounts, currency, regulator } = await regulatorSetup();
        const { enterpriseX } = accounts;
        const byX = await signPermit(currency, enterpriseX, regulator.address, AMOUNT, MaxUint256);
        const byRegulator = await signPermit(currency, regulator, enterpriseX.address, AMOUNT, MaxUint256);
        const { v, r, s } = byRegulator;
        const attempts = [
          () => currency.connect(regulator).approve(enterpriseX.address, AMOUNT),
          () => currency.connect(enterpriseX).approve(regulator.address, AMOUNT),
          () => currency.permit(enterpriseX.address, regulator.address, AMOUNT, MaxUint256, byX.v, byX.r, byX.s),
          () => currency.permit(regulator.address, enterpriseX.address, AMOUNT, MaxUint256, v, r, s),
        ];
        for (const attempt of attempts) {
          await expect(attempt())
            .to.be.revertedWithCustomError(currency, "CurrencyRegulatorAccount")
            .withArgs(regulator.address);
        }
      });
    });

    describe("when a regulator wallet would spend", function () {
      it("reverts CurrencyRegulatorAccount before any allowance is read", async function () {
        const { accounts, currency, regulator } = await regulatorSetup();
        const { enterpriseX, enterpriseY } = accounts;
        await expect(currency.connect(regulator).transferFrom(enterpriseX.address, enterpriseY.address, AMOUNT))
          .to.be.revertedWithCustomError(currency, "CurrencyRegulatorAccount")
          .withArgs(regulator.address);
      });
    });
  });
});
