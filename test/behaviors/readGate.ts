import { expect } from "chai";
import hre from "hardhat";
import type { BaseContract, Signer } from "ethers";
import { inCase } from "./accessTable";

/** A wallet that reads: a test signer, or a `VoidSigner` standing for an address nobody holds a key of here. */
export type Reader = Signer & { readonly address: string };

/** One record of a gated view and the wallets that are its parties. */
export interface GatedRecord<K> {
  /** Names the record in a failure message: "bill 1, range at 1". */
  label: string;
  /** What the view is asked for: a wallet, an entity id, a bill id and start, a trade's terms. */
  key: K;
  /** Every wallet that must be let through for this record, and only for records it is a party to. */
  parties: readonly Reader[];
}

/** What the behaviour needs; `getContext` must return a fresh fixture state on every call (use `loadFixture`). */
export interface ReadGateContext<K> {
  /** The contract whose ABI declares `ReadNotAllowed(reader)` and holds the view. */
  contract: BaseContract;
  /** Reads `key` through the view as `reader`: an eth_call whose sender is the reader's address. */
  read: (reader: Reader, key: K) => Promise<unknown>;
  /** At least one record; with two or more, the parties of one must include someone who is refused another. */
  records: readonly GatedRecord<K>[];
  /**
   * Wallets refused every record: at least the unverified outsider (account #7) and a verified trader that is a
   * party to none of the records; a view may add readers the rule must keep out (a former holder, say).
   */
  outsiders: readonly Reader[];
  /** Sees every record. */
  regulator: Reader;
  /** Platform contracts that read every record on the platform's behalf (read from their addresses). */
  platform?: readonly Reader[];
  /** Names for failure messages, by address (any case). */
  labels?: Readonly<Record<string, string>>;
}

export interface ReadGateOptions {
  /**
   * The view has no parties: only the regulator (and platform contracts) read it, every trader is refused. The
   * records then list no party, and `outsiders` lists verified traders too.
   */
  seeThroughOnly?: boolean;
  /** No platform contract reads this view on the platform's behalf (only the regulator sees through it). */
  noPlatformReader?: boolean;
}

/**
 * Checklist line 36 for one view `name` of `getContext().contract`: the regulator (and the platform contracts that
 * see through) read every record; each party reads its own record and gets exactly what the regulator gets; a
 * party is refused every record it is not a party to, and every outsider is refused every record, each time with
 * `ReadNotAllowed(reader)`. The view is a `view`: reading sends no transaction.
 */
export function shouldGateReads<K>(
  name: string,
  getContext: () => Promise<ReadGateContext<K>>,
  options: ReadGateOptions = {},
): void {
  describe(`.${name}()`, function () {
    it("is a view: every read is an eth_call and mines no block", async function () {
      const ctx = await getContext();
      const fragment = ctx.contract.interface.getFunction(name);
      expect(fragment, `${name} is not in the ABI`).to.not.equal(null);
      expect(fragment!.stateMutability).to.equal("view");
      const before = await hre.ethers.provider.getBlockNumber();
      for (const record of ctx.records) await ctx.read(ctx.regulator, record.key);
      expect(await hre.ethers.provider.getBlockNumber()).to.equal(before);
    });

    it("36. lets the regulator read every record", async function () {
      const ctx = await getContext();
      expect(ctx.records, "the context lists no record").to.not.be.empty;
      for (const record of ctx.records) {
        await inCase(`regulator reads ${record.label}`, ctx.read(ctx.regulator, record.key));
      }
    });

    if (!options.noPlatformReader) {
      it("36. lets every platform contract that sees through read every record, as the regulator does", async function () {
        const ctx = await getContext();
        expect(ctx.platform, "the context lists no platform contract").to.not.be.empty;
        for (const contract of ctx.platform ?? []) {
          for (const record of ctx.records) {
            const label = `${labelOf(ctx, contract)} reads ${record.label}`;
            await inCase(label, expectSameAnswer(ctx, contract, record));
          }
        }
      });
    }

    if (options.seeThroughOnly) {
      it("36. refuses every trader, verified or not, with ReadNotAllowed(reader)", async function () {
        const ctx = await getContext();
        expect(
          ctx.records.every((r) => r.parties.length === 0),
          "a see-through-only view has no parties",
        ).to.equal(true);
        await expectOutsidersRefused(ctx);
      });
      return;
    }

    it("36. lets each party read its own record, and it reads what the regulator reads", async function () {
      const ctx = await getContext();
      for (const record of ctx.records) {
        expect(record.parties, `${record.label} lists no party`).to.not.be.empty;
        for (const party of record.parties) {
          await inCase(`${labelOf(ctx, party)} reads ${record.label}`, expectSameAnswer(ctx, party, record));
        }
      }
    });

    it("36. refuses each party every record it is not a party to, with ReadNotAllowed(party)", async function () {
      const ctx = await getContext();
      const refusals: { reader: Reader; record: GatedRecord<K> }[] = [];
      for (const own of ctx.records) {
        for (const party of own.parties) {
          for (const other of ctx.records) {
            if (!isParty(other, party)) refusals.push({ reader: party, record: other });
          }
        }
      }
      if (ctx.records.length > 1) expect(refusals, "no party is refused another's record").to.not.be.empty;
      for (const { reader, record } of refusals) {
        await inCase(`${labelOf(ctx, reader)} reads ${record.label}`, expectRefused(ctx, reader, record.key));
      }
    });

    it("36. refuses the outsiders (unverified, and verified but party to none) with ReadNotAllowed(reader)", async function () {
      await expectOutsidersRefused(await getContext());
    });
  });
}

async function expectOutsidersRefused<K>(ctx: ReadGateContext<K>): Promise<void> {
  expect(ctx.outsiders, "the context lists no outsider").to.not.be.empty;
  for (const outsider of ctx.outsiders) {
    for (const record of ctx.records) {
      expect(isParty(record, outsider), `${labelOf(ctx, outsider)} is a party of ${record.label}`).to.equal(false);
      await inCase(`${labelOf(ctx, outsider)} reads ${record.label}`, expectRefused(ctx, outsider, record.key));
    }
  }
}

async function expectSameAnswer<K>(ctx: ReadGateContext<K>, reader: Reader, record: GatedRecord<K>): Promise<void> {
  const expected = await ctx.read(ctx.regulator, record.key);
  expect(await ctx.read(reader, record.key)).to.deep.equal(expected);
}

async function expectRefused<K>(ctx: ReadGateContext<K>, reader: Reader, key: K): Promise<void> {
  await expect(ctx.read(reader, key))
    .to.be.revertedWithCustomError(ctx.contract, "ReadNotAllowed")
    .withArgs(reader.address);
}

function isParty<K>(record: GatedRecord<K>, reader: Reader): boolean {
  return record.parties.some((p) => p.address.toLowerCase() === reader.address.toLowerCase());
}

function labelOf<K>(ctx: ReadGateContext<K>, reader: Reader): string {
  const labels = ctx.labels ?? {};
  const found = Object.entries(labels).find(([address]) => address.toLowerCase() === reader.address.toLowerCase());
  return found ? found[1] : reader.address;
}
