import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { Signature } from "ethers";
import type { BaseContract, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IdentityRegistry } from "../../typechain-types";
import { EntityStatus } from "../../tasks/lib/identity";

const ONE_DAY = 24n * 60n * 60n;
const ONE_YEAR = 365n * ONE_DAY;

/** One act a KYC-gated contract must refuse unless the subject wallet is verified at that moment. */
export interface KycGatedAct {
  /** Reads in a sentence after "the subject …": "transfer from", "approve to spender". */
  name: string;
  /**
   * Puts the subject in position while it is still verified (an allowance to spend, say); any number of
   * transactions. For a never-registered wallet the setup is attempted too, and it is the first step of
   * setup-then-act that must hit the gate: such a wallet could never have got into position.
   */
  setup?: (subject: HardhatEthersSigner, counterparty: HardhatEthersSigner) => Promise<unknown>;
  /** The gated act: exactly one transaction, in which `subject` is sender, recipient, owner or spender. */
  run: (subject: HardhatEthersSigner, counterparty: HardhatEthersSigner) => Promise<ContractTransactionResponse>;
}

/** The custom error a gated act must revert with, e.g. `CurrencyUnverifiedAccount(subject)`. */
export interface ExpectedRevert {
  contract: BaseContract;
  error: string;
  args: unknown[];
}

/** What the behaviour needs; `getContext` must return a fresh fixture state on every call (use `loadFixture`). */
export interface KycGatedContext {
  /** The contract under test: a successful act must leave at least one event of it. */
  token: BaseContract;
  registry: IdentityRegistry;
  /** Holds the registry's DEFAULT_ADMIN_ROLE (revocation is the admin's act). */
  registryAdmin: HardhatEthersSigner;
  /** The KYC provider that verified the subject's entity (it alone renews, suspends, reinstates, unlinks). */
  provider: HardhatEthersSigner;
  subjectEntityId: string;
  /** A verified wallet of the subject entity, funded as the acts need. */
  subject: HardhatEthersSigner;
  /** A wallet no provider ever registered. */
  stranger: HardhatEthersSigner;
  /** A verified, funded wallet of another entity whose verification outlives the subject's tests. */
  counterparty: HardhatEthersSigner;
  acts: readonly KycGatedAct[];
  /** The revert an act must raise when `account` is not verified. */
  expectedRevert: (account: string) => ExpectedRevert;
}

/**
 * Every act of `getContext().acts` succeeds while the subject is verified and reverts, naming the subject, while
 * it is never registered, expired, suspended, revoked or unlinked; renewal, reinstatement and relinking let it
 * act again. Each act runs against its own fresh fixture state.
 *
 * Time convention: a wallet is verified while `block.timestamp < expiresAt`. The act's own block is pinned with
 * `time.setNextBlockTimestamp` at expiresAt − 1 (allowed), expiresAt and expiresAt + 1 (refused).
 */
export function shouldBehaveLikeKycGated(getContext: () => Promise<KycGatedContext>): void {
  describe("when the subject is verified", function () {
    it("lets every act through", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        await act.setup?.(ctx.subject, ctx.counterparty);
        await expectAllowed(ctx, act);
      });
    });
  });

  describe("when the subject was never registered", function () {
    it("reverts every act naming the subject", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        expect(await ctx.registry.isVerified(ctx.stranger.address)).to.equal(false);
        const attempt = (async () => {
          await act.setup?.(ctx.stranger, ctx.counterparty);
          return act.run(ctx.stranger, ctx.counterparty);
        })();
        await expectGated(ctx, attempt, ctx.stranger.address);
      });
    });
  });

  describe("when the subject's verification expires", function () {
    /** Prepares the act, then lets the provider bring the expiry to one day from now; returns it. */
    async function shortenExpiry(ctx: KycGatedContext, act: KycGatedAct): Promise<bigint> {
      await act.setup?.(ctx.subject, ctx.counterparty);
      const expiresAt = BigInt(await time.latest()) + ONE_DAY;
      await (await ctx.registry.connect(ctx.provider).renewEntity(ctx.subjectEntityId, expiresAt)).wait();
      return expiresAt;
    }

    it("lets every act through one second before expiresAt", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        const expiresAt = await shortenExpiry(ctx, act);
        await time.setNextBlockTimestamp(expiresAt - 1n);
        await expectAllowed(ctx, act);
      });
    });

    it("reverts every act at expiresAt", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        const expiresAt = await shortenExpiry(ctx, act);
        await time.setNextBlockTimestamp(expiresAt);
        await expectGated(ctx, act.run(ctx.subject, ctx.counterparty), ctx.subject.address);
      });
    });

    it("reverts every act after expiresAt", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        const expiresAt = await shortenExpiry(ctx, act);
        await time.setNextBlockTimestamp(expiresAt + 1n);
        await expectGated(ctx, act.run(ctx.subject, ctx.counterparty), ctx.subject.address);
      });
    });

    it("lets every act through again once the provider renews it", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        const expiresAt = await shortenExpiry(ctx, act);
        await time.increaseTo(expiresAt);
        await expectGated(ctx, act.run(ctx.subject, ctx.counterparty), ctx.subject.address);
        const renewed = BigInt(await time.latest()) + ONE_YEAR;
        await (await ctx.registry.connect(ctx.provider).renewEntity(ctx.subjectEntityId, renewed)).wait();
        await expectAllowed(ctx, act);
      });
    });
  });

  describe("when the subject's entity is suspended", function () {
    it("reverts every act naming the subject", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        await act.setup?.(ctx.subject, ctx.counterparty);
        await (await ctx.registry.connect(ctx.provider).suspendEntity(ctx.subjectEntityId)).wait();
        await expectGated(ctx, act.run(ctx.subject, ctx.counterparty), ctx.subject.address);
      });
    });

    it("lets every act through again once the provider reinstates it", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        await act.setup?.(ctx.subject, ctx.counterparty);
        const byProvider = ctx.registry.connect(ctx.provider);
        await (await byProvider.suspendEntity(ctx.subjectEntityId)).wait();
        await expectGated(ctx, act.run(ctx.subject, ctx.counterparty), ctx.subject.address);
        await (await byProvider.reinstateEntity(ctx.subjectEntityId)).wait();
        await expectAllowed(ctx, act);
      });
    });
  });

  describe("when the subject's entity is revoked", function () {
    it("reverts every act naming the subject, for good", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        await act.setup?.(ctx.subject, ctx.counterparty);
        await (await ctx.registry.connect(ctx.registryAdmin).revokeEntity(ctx.subjectEntityId)).wait();
        await expectGated(ctx, act.run(ctx.subject, ctx.counterparty), ctx.subject.address);
        await expect(ctx.registry.connect(ctx.provider).reinstateEntity(ctx.subjectEntityId))
          .to.be.revertedWithCustomError(ctx.registry, "IdentityWrongStatus")
          .withArgs(ctx.subjectEntityId, EntityStatus.Revoked);
      });
    });
  });

  describe("when the subject's wallet is unlinked", function () {
    it("reverts every act naming the subject", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        await act.setup?.(ctx.subject, ctx.counterparty);
        await (await ctx.registry.connect(ctx.provider).unlinkWallet(ctx.subject.address)).wait();
        await expectGated(ctx, act.run(ctx.subject, ctx.counterparty), ctx.subject.address);
      });
    });

    it("lets every act through again once the provider links it again", async function () {
      await forEachAct(getContext, async (ctx, act) => {
        await act.setup?.(ctx.subject, ctx.counterparty);
        const byProvider = ctx.registry.connect(ctx.provider);
        await (await byProvider.unlinkWallet(ctx.subject.address)).wait();
        await expectGated(ctx, act.run(ctx.subject, ctx.counterparty), ctx.subject.address);
        await (await byProvider.linkWallet(ctx.subjectEntityId, ctx.subject.address)).wait();
        await expectAllowed(ctx, act);
      });
    });
  });
}

/** Runs `body` once per act, each against a fresh fixture state; a failure names the act. */
async function forEachAct(
  getContext: () => Promise<KycGatedContext>,
  body: (ctx: KycGatedContext, act: KycGatedAct) => Promise<void>,
): Promise<void> {
  const { acts } = await getContext();
  expect(acts, "the context lists no act").to.not.be.empty;
  for (let i = 0; i < acts.length; i++) {
    const ctx = await getContext();
    const act = ctx.acts[i];
    try {
      await body(ctx, act);
    } catch (error) {
      if (error instanceof Error) error.message = `[act "${act.name}"] ${error.message}`;
      throw error;
    }
  }
}

/** The act is mined and the gated contract logged an event of it. */
async function expectAllowed(ctx: KycGatedContext, act: KycGatedAct): Promise<void> {
  const receipt = await (await act.run(ctx.subject, ctx.counterparty)).wait();
  expect(receipt?.status).to.equal(1);
  const token = await ctx.token.getAddress();
  const emitters = (receipt?.logs ?? []).map((log) => log.address);
  expect(emitters, "the act left no event of the gated contract").to.include(token);
}

async function expectGated(ctx: KycGatedContext, attempt: Promise<unknown>, account: string): Promise<void> {
  const { contract, error, args } = ctx.expectedRevert(account);
  await expect(attempt)
    .to.be.revertedWithCustomError(contract, error)
    .withArgs(...args);
}

/** The parts of an ERC-2612 / ERC-5267 token that `signPermit` reads. */
export interface PermitToken {
  getAddress(): Promise<string>;
  nonces(owner: string): Promise<bigint>;
  eip712Domain(): Promise<[string, string, string, bigint, string, string, bigint[]]>;
}

/**
 * An ERC-2612 permit signed by `owner` with `signTypedData`, over the domain the token itself reports (ERC-5267),
 * so a KYC-gated token's permit act can be written in one line.
 */
export async function signPermit(
  token: PermitToken,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<{ v: number; r: string; s: string }> {
  const [, name, version, chainId, verifyingContract] = await token.eip712Domain();
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const message = { owner: owner.address, spender, value, nonce: await token.nonces(owner.address), deadline };
  const signature = Signature.from(
    await owner.signTypedData({ name, version, chainId, verifyingContract }, types, message),
  );
  return { v: signature.v, r: signature.r, s: signature.s };
}
