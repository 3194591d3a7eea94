/*
 * SettlementEngine, what each trade kind allows: the party-kind table, the shape of the legs, the pricing fields,
 * the price of the priced kinds (to the unit), the value day, and the maturity rolled on the business calendar.
 *
 * Party kinds (IIdentityRegistry.EntityKind: 1 Enterprise, 2 Bank, 3 FinanceCompany, 4 CentralBank, 5 Regulator).
 * The seller is the party that delivers the bill leg (the borrower in a repo), the buyer the other one:
 *   Swap                   any non-regulator      / any non-regulator; with a bill leg both enterprises or both
 *                          institutions (an enterprise and an institution trade a bill by discount): the
 *                          institution is named
 *   FreeOfPayment          institution            / institution         (institution = Bank, FC, CentralBank)
 *   Discount               Enterprise             / Bank, FC
 *   Rediscount             Bank, FC               / Bank, FC
 *   CentralBankRediscount  Bank, FC               / CentralBank
 *   OutrightSale, PledgeRepo, OutrightRepo: institution / institution
 * Each cell (but Swap's, checked pair by pair) is checked with the other party fixed to an allowed one: allowed cells settle (signed, by the agent),
 * refused cells revert TradeWrongPartyKind(party, kind).
 *
 * The scene: `tradingPlatform` at 10:00 CST of the next day; Y discounted [1, U] to bank A and [U + 1, 2U] to the
 * finance company, bank A rediscounted [1, U/2] to the central bank; a second central bank wallet (CB2) is
 * registered and funded for the cells where the other party would be the candidate itself.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  BillType,
  RangeState,
  issueBill,
  presentForAcceptance,
  presentForReceipt,
  sign,
  startOfCstDay,
} from "../../../tasks/lib/bills";
import { EntityKind, registerEntity } from "../../../tasks/lib/identity";
import {
  EMPTY_LEG,
  TradeKind,
  TradeStatus,
  billLeg,
  discountProceeds,
  repoRepayment,
  rollForward,
  tokenLeg,
  type Leg,
  type Terms,
} from "../../../tasks/lib/dvp";
import { ONE_YEAR, asRegulator } from "../../fixtures/platform";
import {
  FACE,
  RATE,
  chainDay,
  deadlineAhead,
  discountTerms,
  signedBy,
  termsOf,
  type DvpFixture,
} from "../../fixtures/dvp";
import { market, statusOf } from "../../fixtures/dvpScenes";

const HOUR = 3_600;
const DAY = 86_400n;
const U = 10_000_000n;
/** Units of every trade of the party-kind table. */
const T = 1_000n;
const NO_MARKS = new Map<number, 1 | 2>();

type Name = "enterpriseY" | "enterpriseX" | "bankA" | "bankB" | "financeCo" | "centralBank" | "cb2" | "regulator";

interface KindsFixture extends DvpFixture {
  cb2: HardhatEthersSigner;
  /** Where each party's holding starts. */
  starts: Map<string, bigint>;
}

/** Settles `terms` by the agent with both signatures. */
async function agentSettles(f: DvpFixture, terms: Terms, maker: HardhatEthersSigner, taker: HardhatEthersSigner) {
  const engine = f.suite.settlementEngine;
  return engine.connect(f.accounts.admin).settle(await signedBy(engine, terms, maker, taker));
}

async function holders(): Promise<KindsFixture> {
  const f = await loadFixture(market);
  const { enterpriseY: y, bankA, financeCo, centralBank } = f.accounts;
  await (await agentSettles(f, await discountTerms(f, y, bankA, U), y, bankA)).wait();
  await (await agentSettles(f, await discountTerms(f, y, financeCo, U, { start: U + 1n }), y, financeCo)).wait();
  const cbr = await discountTerms(f, bankA, centralBank, U / 2n, { kind: TradeKind.CentralBankRediscount });
  await (await agentSettles(f, cbr, bankA, centralBank)).wait();
  const cb2 = f.accounts.extra[0];
  await registerEntity(f.suite.identityRegistry.connect(f.accounts.bankA), {
    code: "11100000000000002C",
    kind: EntityKind.CentralBank,
    jurisdiction: "CN",
    expiresAt: BigInt(await time.latest()) + ONE_YEAR,
    wallets: [cb2.address],
  });
  await (await f.suite.digitalCurrency.connect(centralBank).mint(cb2.address, 1_000_000n)).wait();
  await (await f.suite.digitalCurrency.connect(cb2).approve(f.engine, hre.ethers.MaxUint256)).wait();
  const starts = new Map<string, bigint>([
    [y.address, 2n * U + 1n],
    [bankA.address, U / 2n + 1n],
    [financeCo.address, U + 1n],
    [centralBank.address, 1n],
  ]);
  return { ...f, cb2, starts };
}

function who(f: KindsFixture, name: Name): HardhatEthersSigner {
  return name === "cb2" ? f.cb2 : f.accounts[name];
}

/** The proceeds of `units` of the fixture bill at RATE on `valueDay`, maturity rolled with `marks`. */
function proceeds(f: DvpFixture, units: bigint, valueDay: bigint, marks = NO_MARKS): bigint {
  return discountProceeds(units, RATE, BigInt(rollForward(f.maturityDay, marks)) - valueDay);
}

/** Y's Discount of T units of its holding to bank A for value on `valueDay`, priced for that day. */
function yDiscountOn(f: KindsFixture, valueDay: bigint, extra: Partial<Terms> = {}): Promise<Terms> {
  const { enterpriseY: y, bankA } = f.accounts;
  const bill = billLeg(f.ledger, f.billId, 2n * U + 1n, T);
  return termsOf(TradeKind.Discount, y, bankA, bill, tokenLeg(f.currency, proceeds(f, T, valueDay)), {
    rate: RATE,
    valueDay,
    ...extra,
  });
}

/** Terms of `kind` in which `seller` delivers T units of its holding to `buyer` (the maker) at a fitting price. */
async function tableTerms(f: KindsFixture, kind: TradeKind, seller: HardhatEthersSigner, buyer: HardhatEthersSigner) {
  const today = await chainDay();
  const bill = billLeg(f.ledger, f.billId, f.starts.get(seller.address) ?? 1n, T);
  if (kind === TradeKind.FreeOfPayment) return termsOf(kind, seller, buyer, bill, EMPTY_LEG);
  if (kind === TradeKind.Discount || kind === TradeKind.Rediscount || kind === TradeKind.CentralBankRediscount) {
    return termsOf(kind, seller, buyer, bill, tokenLeg(f.currency, proceeds(f, T, today)), { rate: RATE });
  }
  if (kind === TradeKind.PledgeRepo || kind === TradeKind.OutrightRepo) {
    const endDay = BigInt(rollForward(Number(today) + 7, NO_MARKS));
    const principal = T - 100n;
    const pledge = kind === TradeKind.PledgeRepo;
    return termsOf(kind, seller, buyer, bill, tokenLeg(f.currency, principal), {
      rate: pledge ? RATE : 0n,
      endDay,
      closingAmount: pledge ? repoRepayment(principal, RATE, endDay - today) : principal + 5n,
    });
  }
  return termsOf(kind, seller, buyer, bill, tokenLeg(f.currency, T - 10n));
}

const E = EntityKind.Enterprise;
const B = EntityKind.Bank;
const FC = EntityKind.FinanceCompany;
const CB = EntityKind.CentralBank;
const INSTITUTIONS = [B, FC, CB];

const RULES: { kind: TradeKind; sellers: EntityKind[]; buyers: EntityKind[]; seller0: Name; buyer0: Name }[] = [
  { kind: TradeKind.FreeOfPayment, sellers: INSTITUTIONS, buyers: INSTITUTIONS, seller0: "bankA", buyer0: "bankB" },
  { kind: TradeKind.Discount, sellers: [E], buyers: [B, FC], seller0: "enterpriseY", buyer0: "bankB" },
  { kind: TradeKind.Rediscount, sellers: [B, FC], buyers: [B, FC], seller0: "bankA", buyer0: "bankB" },
  { kind: TradeKind.CentralBankRediscount, sellers: [B, FC], buyers: [CB], seller0: "bankA", buyer0: "centralBank" },
  { kind: TradeKind.OutrightSale, sellers: INSTITUTIONS, buyers: INSTITUTIONS, seller0: "bankA", buyer0: "bankB" },
  { kind: TradeKind.PledgeRepo, sellers: INSTITUTIONS, buyers: INSTITUTIONS, seller0: "bankA", buyer0: "bankB" },
  { kind: TradeKind.OutrightRepo, sellers: INSTITUTIONS, buyers: INSTITUTIONS, seller0: "bankA", buyer0: "bankB" },
];

/** One wallet of each kind in each role (a seller holds a range, a buyer has money). */
const CANDIDATES: { kind: EntityKind; seller: Name; buyer: Name }[] = [
  { kind: E, seller: "enterpriseY", buyer: "enterpriseX" },
  { kind: B, seller: "bankA", buyer: "bankB" },
  { kind: FC, seller: "financeCo", buyer: "financeCo" },
  { kind: CB, seller: "centralBank", buyer: "centralBank" },
  { kind: EntityKind.Regulator, seller: "regulator", buyer: "regulator" },
];

describe("SettlementEngine: trade kinds", function () {
  describe("party-kind table", function () {
    for (const rule of RULES) {
      for (const role of ["seller", "buyer"] as const) {
        for (const candidate of CANDIDATES) {
          const allowed = (role === "seller" ? rule.sellers : rule.buyers).includes(candidate.kind);
          const fixedName = role === "seller" ? rule.buyer0 : rule.seller0;
          // The only clash (a central bank selling to the central bank) takes the second central bank wallet.
          const name: Name = candidate[role] === fixedName ? "cb2" : candidate[role];
          const title = `${TradeKind[rule.kind]}: ${EntityKind[candidate.kind]} as ${role} (${name}) is ${allowed ? "allowed" : "refused"}`;
          it(title, async function () {
            const f = await loadFixture(holders);
            const engine = f.suite.settlementEngine;
            const party = who(f, name);
            const fixed = who(f, fixedName);
            const [seller, buyer] = role === "seller" ? [party, fixed] : [fixed, party];
            const t = await tableTerms(f, rule.kind, seller, buyer);
            const settling = agentSettles(f, t, seller, buyer);
            if (!allowed) {
              await expect(settling)
                .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
                .withArgs(party.address, candidate.kind);
              return;
            }
            await (await settling).wait();
            const r = await asRegulator(f.suite.billLedger).rangeAt(f.billId, t.makerLeg.start);
            const pledge = rule.kind === TradeKind.PledgeRepo;
            expect(r.end - r.start + 1n).to.equal(T);
            expect(r.holder).to.equal(pledge ? seller.address : buyer.address);
            expect(r.state).to.equal(
              pledge
                ? RangeState.Pledged
                : rule.kind === TradeKind.OutrightRepo
                  ? RangeState.Escrowed
                  : RangeState.Circulating,
            );
          });
        }
      }
    }

    describe("Swap", function () {
      const SWAP_SELLERS: Name[] = ["enterpriseY", "bankA", "financeCo", "centralBank", "regulator"];
      const SWAP_BUYERS: Name[] = ["enterpriseX", "bankB", "financeCo", "centralBank", "regulator"];
      const KIND_OF: Record<Name, EntityKind> = {
        enterpriseY: E,
        enterpriseX: E,
        bankA: B,
        bankB: B,
        financeCo: FC,
        centralBank: CB,
        cb2: CB,
        regulator: EntityKind.Regulator,
      };
      for (const sellerName of SWAP_SELLERS) {
        for (const listed of SWAP_BUYERS) {
          if (sellerName === "financeCo" && listed === "financeCo") continue; // one finance company only
          const buyerName: Name = sellerName === listed ? "cb2" : listed;
          const [sk, bk] = [KIND_OF[sellerName], KIND_OF[buyerName]];
          const regulator =
            sk === EntityKind.Regulator ? sellerName : bk === EntityKind.Regulator ? buyerName : undefined;
          const mixed = (sk === E) !== (bk === E);
          // The maker (seller) is checked first; of a mixed pair the institution is named.
          const named: Name | undefined = regulator ?? (mixed ? (sk === E ? buyerName : sellerName) : undefined);
          it(`bill for cash from ${EntityKind[sk]} (${sellerName}) to ${EntityKind[bk]} (${buyerName}) is ${named ? `refused naming ${named}` : "allowed"}`, async function () {
            const f = await loadFixture(holders);
            const engine = f.suite.settlementEngine;
            const [seller, buyer] = [who(f, sellerName), who(f, buyerName)];
            const t = await tableTerms(f, TradeKind.Swap, seller, buyer);
            const settling = agentSettles(f, t, seller, buyer);
            if (named) {
              await expect(settling)
                .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
                .withArgs(who(f, named).address, KIND_OF[named]);
              return;
            }
            await (await settling).wait();
            expect((await asRegulator(f.suite.billLedger).rangeAt(f.billId, t.makerLeg.start)).holder).to.equal(
              buyer.address,
            );
          });
        }
      }

      it("cash for bill (the enterprise as taker with the bill leg) is refused naming the institution maker", async function () {
        const f = await loadFixture(holders);
        const { enterpriseY: y, bankB } = f.accounts;
        const t = await termsOf(
          TradeKind.Swap,
          bankB,
          y,
          tokenLeg(f.currency, T),
          billLeg(f.ledger, f.billId, 2n * U + 1n, T),
        );
        await expect(f.suite.settlementEngine.connect(bankB).propose(t))
          .to.be.revertedWithCustomError(f.suite.settlementEngine, "TradeWrongPartyKind")
          .withArgs(bankB.address, B);
      });

      it("cash for cash between an enterprise and an institution is allowed; the regulator is refused", async function () {
        const f = await loadFixture(holders);
        const { enterpriseY: y, centralBank, regulator, admin } = f.accounts;
        const engine = f.suite.settlementEngine;
        const other = await hre.ethers.deployContract("HookToken");
        const otherAddress = await other.getAddress();
        await (await other.mint(centralBank.address, 1_000n)).wait();
        await (await other.connect(centralBank).approve(f.engine, 1_000n)).wait();
        await (await engine.connect(admin).setListed(otherAddress, true)).wait();
        const t = await termsOf(
          TradeKind.Swap,
          y,
          centralBank,
          tokenLeg(f.currency, 900n),
          tokenLeg(otherAddress, 1_000n),
        );
        const tx = agentSettles(f, t, y, centralBank);
        await expect(tx).to.changeTokenBalances(f.suite.digitalCurrency, [y, centralBank], [-900n, 900n]);
        await expect(tx).to.changeTokenBalances(other, [centralBank, y], [-1_000n, 1_000n]);
        const withRegulator = await termsOf(
          TradeKind.Swap,
          y,
          regulator,
          tokenLeg(f.currency, 900n),
          tokenLeg(otherAddress, 1n),
        );
        await expect(engine.connect(y).propose(withRegulator))
          .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
          .withArgs(regulator.address, EntityKind.Regulator);
      });
    });

    it("the seller is the party with the bill leg, maker or not: a buyer-made Discount from a bank names the bank", async function () {
      const f = await loadFixture(holders);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const today = await chainDay();
      const t = await termsOf(
        TradeKind.Discount,
        bankB,
        bankA,
        tokenLeg(f.currency, proceeds(f, T, today)),
        billLeg(f.ledger, f.billId, U / 2n + 1n, T),
        { rate: RATE },
      );
      await expect(engine.connect(bankB).propose(t))
        .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
        .withArgs(bankA.address, EntityKind.Bank);
    });

    it("an unverified maker or taker is refused with TradeUnverifiedParty; maker = taker or zero with TradeInvalidParty", async function () {
      const f = await loadFixture(holders);
      const { enterpriseY: y, bankA, outsider } = f.accounts;
      const engine = f.suite.settlementEngine;
      const base = await discountTerms(f, y, bankA, T, { start: 2n * U + 1n });
      await expect(engine.connect(y).propose({ ...base, taker: outsider.address }))
        .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
        .withArgs(outsider.address);
      await expect(engine.connect(outsider).propose({ ...base, maker: outsider.address }))
        .to.be.revertedWithCustomError(engine, "TradeUnverifiedParty")
        .withArgs(outsider.address);
      await expect(engine.connect(y).propose({ ...base, taker: y.address }))
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(y.address);
      await expect(engine.connect(y).propose({ ...base, taker: hre.ethers.ZeroAddress }))
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(hre.ethers.ZeroAddress);
    });
  });

  describe("leg shapes", function () {
    /** Y's Discount of T units to bank A, proposed by Y, with `change` applied. */
    async function proposeWith(f: KindsFixture, change: (t: Terms) => Terms) {
      const t = await discountTerms(f, f.accounts.enterpriseY, f.accounts.bankA, T, { start: 2n * U + 1n });
      return f.suite.settlementEngine.connect(f.accounts.enterpriseY).propose(change(t));
    }
    const bill = (f: DvpFixture, l: Partial<Leg> = {}): Leg => ({
      ...billLeg(f.ledger, f.billId, 2n * U + 1n, T),
      ...l,
    });
    const cash = (f: DvpFixture, l: Partial<Leg> = {}): Leg => ({ ...tokenLeg(f.currency, T), ...l });

    const cases: { name: string; index: number; change: (f: DvpFixture, t: Terms) => Terms }[] = [
      { name: "an empty maker leg", index: 0, change: (_f, t) => ({ ...t, makerLeg: EMPTY_LEG }) },
      { name: "a bill leg of bill 0", index: 0, change: (f, t) => ({ ...t, makerLeg: bill(f, { billId: 0n }) }) },
      { name: "a bill leg starting at 0", index: 0, change: (f, t) => ({ ...t, makerLeg: bill(f, { start: 0n }) }) },
      { name: "a bill leg of 0 units", index: 0, change: (f, t) => ({ ...t, makerLeg: bill(f, { amount: 0n }) }) },
      {
        name: "a bill leg of 2^48 units",
        index: 0,
        change: (f, t) => ({ ...t, makerLeg: bill(f, { amount: 2n ** 48n }) }),
      },
      { name: "a token leg with a bill id", index: 1, change: (f, t) => ({ ...t, takerLeg: cash(f, { billId: 1n }) }) },
      { name: "a token leg with a start", index: 1, change: (f, t) => ({ ...t, takerLeg: cash(f, { start: 1n }) }) },
      { name: "a token leg of 0", index: 1, change: (f, t) => ({ ...t, takerLeg: cash(f, { amount: 0n }) }) },
      { name: "an empty taker leg (Discount)", index: 1, change: (_f, t) => ({ ...t, takerLeg: EMPTY_LEG }) },
      {
        name: "an 'empty' leg with an amount",
        index: 1,
        change: (_f, t) => ({ ...t, takerLeg: { ...EMPTY_LEG, amount: 1n } }),
      },
      {
        name: "two bill legs (Discount)",
        index: 1,
        change: (f, t) => ({ ...t, takerLeg: billLeg(f.ledger, f.billId, 1n, T) }),
      },
      { name: "two token legs (Discount)", index: 0, change: (f, t) => ({ ...t, makerLeg: cash(f) }) },
      {
        name: "a Swap with an empty taker leg",
        index: 1,
        change: (_f, t) => ({ ...t, kind: TradeKind.Swap, rate: 0n, takerLeg: EMPTY_LEG }),
      },
      {
        name: "a FreeOfPayment of a token leg",
        index: 0,
        change: (f, t) => ({ ...t, kind: TradeKind.FreeOfPayment, rate: 0n, makerLeg: cash(f), takerLeg: EMPTY_LEG }),
      },
      {
        name: "a FreeOfPayment with a taker leg",
        index: 1,
        change: (_f, t) => ({ ...t, kind: TradeKind.FreeOfPayment, rate: 0n }),
      },
    ];
    for (const { name, index, change } of cases) {
      it(`${name} is refused with TradeInvalidLeg(${index})`, async function () {
        const f = await loadFixture(holders);
        await expect(proposeWith(f, (t) => change(f, t)))
          .to.be.revertedWithCustomError(f.suite.settlementEngine, "TradeInvalidLeg")
          .withArgs(index);
      });
    }

    it("an unlisted or delisted token is refused with TradeTokenNotListed(token); the currency is always listed", async function () {
      const f = await loadFixture(holders);
      const engine = f.suite.settlementEngine;
      const admin = engine.connect(f.accounts.admin);
      const plain = await hre.ethers.deployContract("PlainERC20", [1_000_000n]);
      const plainAddress = await plain.getAddress();
      const withPlain = (t: Terms) => ({ ...t, takerLeg: tokenLeg(plainAddress, t.takerLeg.amount) });
      await expect(proposeWith(f, withPlain))
        .to.be.revertedWithCustomError(engine, "TradeTokenNotListed")
        .withArgs(plainAddress);
      await (await admin.setListed(plainAddress, true)).wait();
      expect(await engine.isListed(plainAddress)).to.equal(true);
      await (await admin.setListed(plainAddress, false)).wait();
      await expect(proposeWith(f, withPlain))
        .to.be.revertedWithCustomError(engine, "TradeTokenNotListed")
        .withArgs(plainAddress);
      expect([await engine.isListed(f.currency), await engine.currency()]).to.deep.equal([true, f.currency]);
      for (const token of [f.currency, f.ledger, ZeroAddress]) {
        await expect(admin.setListed(token, false))
          .to.be.revertedWithCustomError(engine, "TradeInvalidLeg")
          .withArgs(0);
      }
    });
  });

  describe("pricing fields", function () {
    const unpriced = [TradeKind.Swap, TradeKind.FreeOfPayment, TradeKind.OutrightSale] as const;
    for (const kind of unpriced) {
      for (const field of ["rate", "endDay", "closingAmount"] as const) {
        it(`${TradeKind[kind]} with a ${field} is refused with TradeInvalidTerms`, async function () {
          const f = await loadFixture(holders);
          const t = await tableTerms(f, kind, f.accounts.bankA, f.accounts.bankB);
          await expect(
            f.suite.settlementEngine.connect(f.accounts.bankA).propose({ ...t, [field]: 1n }),
          ).to.be.revertedWithCustomError(f.suite.settlementEngine, "TradeInvalidTerms");
        });
      }
    }

    for (const kind of [TradeKind.Discount, TradeKind.Rediscount, TradeKind.CentralBankRediscount] as const) {
      it(`${TradeKind[kind]} without a rate, or with an endDay or closingAmount, is refused with TradeInvalidTerms`, async function () {
        const f = await loadFixture(holders);
        const [seller, buyer] =
          kind === TradeKind.Discount
            ? [f.accounts.enterpriseY, f.accounts.bankB]
            : [f.accounts.bankA, kind === TradeKind.Rediscount ? f.accounts.bankB : f.accounts.centralBank];
        const t = await tableTerms(f, kind, seller, buyer);
        for (const change of [{ rate: 0n }, { endDay: t.valueDay + 7n }, { closingAmount: 1n }]) {
          await expect(
            f.suite.settlementEngine.connect(seller).propose({ ...t, ...change }),
          ).to.be.revertedWithCustomError(f.suite.settlementEngine, "TradeInvalidTerms");
        }
      });
    }

    it("kind None is refused with TradeInvalidTerms", async function () {
      const f = await loadFixture(holders);
      const t = await tableTerms(f, TradeKind.OutrightSale, f.accounts.bankA, f.accounts.bankB);
      await expect(
        f.suite.settlementEngine.connect(f.accounts.bankA).propose({ ...t, kind: TradeKind.None }),
      ).to.be.revertedWithCustomError(f.suite.settlementEngine, "TradeInvalidTerms");
    });
  });

  describe("price of the priced kinds", function () {
    const priced = [
      { kind: TradeKind.Discount, seller: "enterpriseY", buyer: "bankB" },
      { kind: TradeKind.Rediscount, seller: "bankA", buyer: "bankB" },
      { kind: TradeKind.CentralBankRediscount, seller: "financeCo", buyer: "centralBank" },
    ] as const;
    for (const { kind, seller: sellerName, buyer: buyerName } of priced) {
      it(`${TradeKind[kind]}: one unit less or more than the formula is refused with TradePriceMismatch(expected, given), at propose and settle`, async function () {
        const f = await loadFixture(holders);
        const engine = f.suite.settlementEngine;
        const seller = who(f, sellerName);
        const buyer = who(f, buyerName);
        const t = await tableTerms(f, kind, seller, buyer);
        const expected = t.takerLeg.amount;
        const [viewProceeds] = await engine.discountProceeds(f.billId, T, RATE, t.valueDay);
        expect(viewProceeds).to.equal(expected);
        for (const given of [expected - 1n, expected + 1n]) {
          const wrong = { ...t, takerLeg: tokenLeg(f.currency, given) };
          await expect(engine.connect(seller).propose(wrong))
            .to.be.revertedWithCustomError(engine, "TradePriceMismatch")
            .withArgs(expected, given);
          await expect(agentSettles(f, wrong, seller, buyer))
            .to.be.revertedWithCustomError(engine, "TradePriceMismatch")
            .withArgs(expected, given);
        }
        await (await agentSettles(f, t, seller, buyer)).wait();
        expect((await asRegulator(f.suite.billLedger).rangeAt(f.billId, t.makerLeg.start)).holder).to.equal(
          buyer.address,
        );
      });
    }
  });

  describe("value day", function () {
    it("propose with a past valueDay is refused with TradeNotValueDay(valueDay, today)", async function () {
      const f = await loadFixture(holders);
      const today = await chainDay();
      const t = await termsOf(
        TradeKind.FreeOfPayment,
        f.accounts.bankA,
        f.accounts.bankB,
        billLeg(f.ledger, f.billId, U / 2n + 1n, T),
        EMPTY_LEG,
        {
          valueDay: today - 1n,
        },
      );
      await expect(f.suite.settlementEngine.connect(f.accounts.bankA).propose(t))
        .to.be.revertedWithCustomError(f.suite.settlementEngine, "TradeNotValueDay")
        .withArgs(today - 1n, today);
    });

    it("a proposal for tomorrow is refused at accept today (TradeNotValueDay) and settles tomorrow at tomorrow's price", async function () {
      const f = await loadFixture(holders);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const today = await chainDay();
      const tomorrow = today + 1n;
      const t = await yDiscountOn(f, tomorrow, { deadline: await deadlineAhead(2n * DAY) });
      await (await engine.connect(y).propose(t)).wait();
      await expect(engine.connect(bankA).accept(t))
        .to.be.revertedWithCustomError(engine, "TradeNotValueDay")
        .withArgs(tomorrow, today);
      await time.increaseTo(startOfCstDay(Number(tomorrow)) + 9 * HOUR);
      await (await engine.connect(bankA).accept(t)).wait();
      expect(await statusOf(f, t)).to.equal(TradeStatus.Settled);
    });

    it("a proposal for today is refused at accept tomorrow (TradeNotValueDay), though before its deadline", async function () {
      const f = await loadFixture(holders);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const today = await chainDay();
      const t = await discountTerms(f, y, bankA, T, { start: 2n * U + 1n });
      const late = { ...t, deadline: await deadlineAhead(2n * DAY) };
      await (await engine.connect(y).propose(late)).wait();
      await time.increaseTo(startOfCstDay(Number(today) + 1));
      await expect(engine.connect(bankA).accept(late))
        .to.be.revertedWithCustomError(engine, "TradeNotValueDay")
        .withArgs(today, today + 1n);
    });

    it("settle on another day than valueDay (yesterday or tomorrow) is refused with TradeNotValueDay", async function () {
      const f = await loadFixture(holders);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const today = await chainDay();
      for (const valueDay of [today - 1n, today + 1n]) {
        const t = await yDiscountOn(f, valueDay);
        await expect(agentSettles(f, t, y, bankA))
          .to.be.revertedWithCustomError(engine, "TradeNotValueDay")
          .withArgs(valueDay, today);
      }
    });
  });

  describe("maturity rolled to a business day", function () {
    it("a bill maturing on a Saturday is priced to the Monday after", async function () {
      const f = await loadFixture(holders);
      const { enterpriseX: x, enterpriseY: y, bankA } = f.accounts;
      const ledger = f.suite.billLedger;
      const engine = f.suite.settlementEngine;
      const today = await chainDay();
      let saturday = Number(today) + 30;
      while (new Date(saturday * 86_400_000).getUTCDay() !== 6) saturday++;
      const { billId } = await issueBill(ledger.connect(x), {
        billType: BillType.BankAcceptance,
        acceptor: bankA.address,
        payee: y.address,
        face: FACE,
        maturityDay: saturday,
        tradeBackground: "purchase contract PC-2026-SAT",
      });
      await presentForAcceptance(ledger.connect(x), billId);
      await sign(ledger.connect(bankA), billId, 1n);
      await presentForReceipt(ledger.connect(x), billId);
      await sign(ledger.connect(y), billId, 1n);

      const rolled = discountProceeds(U, RATE, BigInt(saturday + 2) - today);
      const unrolled = discountProceeds(U, RATE, BigInt(saturday) - today);
      expect(rolled).to.be.lessThan(unrolled);
      const [viewProceeds, days] = await engine.discountProceeds(billId, U, RATE, today);
      expect([viewProceeds, days]).to.deep.equal([rolled, BigInt(saturday + 2) - today]);
      const bill = billLeg(f.ledger, billId, 1n, U);
      const wrong = await termsOf(TradeKind.Discount, y, bankA, bill, tokenLeg(f.currency, unrolled), { rate: RATE });
      await expect(agentSettles(f, wrong, y, bankA))
        .to.be.revertedWithCustomError(engine, "TradePriceMismatch")
        .withArgs(rolled, unrolled);
      const right = await termsOf(TradeKind.Discount, y, bankA, bill, tokenLeg(f.currency, rolled), { rate: RATE });
      await expect(agentSettles(f, right, y, bankA)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, y],
        [-rolled, rolled],
      );
    });

    it("a holiday marked on the (rolled) maturity day moves the price to the next business day", async function () {
      const f = await loadFixture(holders);
      const { enterpriseY: y, bankA, admin } = f.accounts;
      const engine = f.suite.settlementEngine;
      const today = await chainDay();
      const m0 = rollForward(f.maturityDay, NO_MARKS);
      const before = await discountTerms(f, y, bankA, U, { start: 2n * U + 1n });
      expect(before.takerLeg.amount).to.equal(proceeds(f, U, today));

      await expect(f.suite.businessCalendar.connect(admin).markDays([m0], 1))
        .to.emit(f.suite.businessCalendar, "DayMarked")
        .withArgs(m0, 1);
      const marks = new Map<number, 1 | 2>([[m0, 1]]);
      const m1 = rollForward(f.maturityDay, marks);
      expect(m1).to.be.greaterThan(m0);
      const after = proceeds(f, U, today, marks);
      expect(after).to.be.lessThan(before.takerLeg.amount);
      const [viewProceeds, days] = await engine.discountProceeds(f.billId, U, RATE, today);
      expect([viewProceeds, days]).to.deep.equal([after, BigInt(m1) - today]);

      await expect(agentSettles(f, before, y, bankA))
        .to.be.revertedWithCustomError(engine, "TradePriceMismatch")
        .withArgs(after, before.takerLeg.amount);
      const right = { ...before, nonce: before.nonce + 1n, takerLeg: tokenLeg(f.currency, after) };
      await expect(agentSettles(f, right, y, bankA)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, y],
        [-after, after],
      );
    });
  });
});
