/**
 * The platform's story on the in-process Hardhat network: deploy, verify the cast once, issue and move money,
 * refuse an unverified wallet, freeze part of an account, redeem; then a bill's life: issue, acceptance,
 * receipt, partial endorsement, pledge and release, a dishonoured bill with recourse twice back along the chain,
 * then delivery versus payment: a discount (proposal and acceptance), a rediscount by signed orders, a netted batch
 * of three trades, a pledge repo opened and closed, a central-bank rediscount; and payment at maturity. The
 * bill's trade background and the signed rediscount's terms are sealed for their parties and the regulator's view
 * key; the story ends with the regulator's audit of everything, decrypted, and what an outsider sees: every record
 * in the clear, but not the sealed terms. Run with `npm run demo`.
 */
import hre from "hardhat";
import { ethers } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import PlatformModule from "../ignition/modules/Platform";
import { connectPlatform, type PlatformContracts } from "../tasks/lib/deployment";
import { audit, renderAudit } from "../tasks/lib/audit";
import { issueSealedBill, openPosted, sealAndPost } from "../tasks/lib/confidential";
import { newEncryptionKey } from "../tasks/lib/envelope";
import { blockRange } from "../tasks/lib/regulator";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { claimRecourse, dishonour, payBill, payRecourse, presentForPayment } from "../tasks/lib/payments";
import { balanceOf, burn, freeze, mint, transfer, unfreeze } from "../tasks/lib/cash";
import { describeError } from "../tasks/lib/errors";
import { EntityKind, registerEntity, showIdentity } from "../tasks/lib/identity";
import { formatCny } from "../tasks/lib/money";
import {
  BillType,
  LinkKind,
  billTermsOf,
  cstDayOf,
  endorse,
  isoFromDay,
  issueBill,
  liabilityChain,
  pledge,
  presentForAcceptance,
  presentForReceipt,
  rangesOfBill,
  releasePledge,
  sign,
  startOfCstDay,
} from "../tasks/lib/bills";
import { table } from "../tasks/lib/output";
import {
  billLeg,
  discountProceeds,
  formatRate,
  freshNonce,
  repoRepayment,
  rollForward,
  signTerms,
  tokenLeg,
  TradeKind,
  TradeStatus,
  tradeIdOf,
  type Leg,
  type Terms,
} from "../tasks/lib/dvp";

const YEAR = 365n * 24n * 60n * 60n;

function heading(text: string) {
  console.log(`\n== ${text}`);
}

async function main() {
  const [operator, centralBank, bankA, bankB, enterpriseX, enterpriseY, regulator, stranger, enterpriseZ, enterpriseW] =
    await hre.ethers.getSigners();
  const cast: [string, HardhatEthersSigner][] = [
    ["central bank", centralBank],
    ["bank A", bankA],
    ["bank B", bankB],
    ["enterprise X", enterpriseX],
    ["enterprise Y", enterpriseY],
  ];

  heading("1. Deploy the platform (Ignition module ignition/modules/Platform.ts)");
  const deployed = (await hre.ignition.deploy(PlatformModule, {
    parameters: {
      IdentityRegistry: { admin: operator.address, kycProviders: [bankA.address, bankB.address] },
      DigitalCurrency: {
        admin: operator.address,
        issuer: centralBank.address,
        pauser: operator.address,
        regulator: regulator.address,
      },
      BillLedger: { admin: operator.address, pauser: operator.address, regulator: regulator.address },
      BusinessCalendar: { admin: operator.address },
      SettlementEngine: { pauser: operator.address, agent: operator.address },
      EncryptionKeys: { admin: operator.address, regulator: regulator.address },
    },
  })) as unknown as PlatformContracts;
  const registry = deployed.identityRegistry;
  const cash = deployed.digitalCurrency;
  const ledger = deployed.billLedger;
  const payments = deployed.billPayments;
  const engine = deployed.settlementEngine;
  const calendar = deployed.businessCalendar;
  const interfaces = Object.values(deployed).map((c: PlatformContracts[keyof PlatformContracts]) => c.interface);
  console.log(`identity registry  ${await registry.getAddress()}`);
  console.log(
    `digital currency   ${await cash.getAddress()}  (${await cash.name()}, ${await cash.decimals()} decimals)`,
  );
  console.log(`bill ledger        ${await ledger.getAddress()}`);
  console.log(`settlement engine  ${await engine.getAddress()}`);
  console.log(`envelope keys      ${await deployed.encryptionKeys.getAddress()}`);
  console.log(`envelope board     ${await deployed.envelopeBoard.getAddress()}`);
  console.log("KYC providers: bank A, bank B; issuer: the central bank; regulator: the regulator");

  const balances = async () => {
    const rows = [];
    for (const [name, signer] of cast) {
      const b = await balanceOf(cash, signer.address);
      rows.push({
        holder: name,
        balance: formatCny(b.balance),
        frozen: formatCny(b.frozenAmount),
        available: formatCny(b.available),
      });
    }
    console.log(table(rows));
  };
  const refused = async (what: string, act: () => Promise<unknown>) => {
    try {
      await act();
      throw new Error(`${what} was expected to be refused`);
    } catch (error) {
      console.log(`${what}: refused\n  error: ${describeError(error, interfaces)}`);
    }
  };

  heading("2. KYC once: bank A verifies the central bank, bank B, enterprise X and the regulator");
  const expiresAt = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp) + YEAR;
  const register = (provider: HardhatEthersSigner, code: string, kind: EntityKind, wallet: HardhatEthersSigner) =>
    registerEntity(registry.connect(provider), {
      code,
      kind,
      jurisdiction: "CN",
      expiresAt,
      wallets: [wallet.address],
    });
  await register(bankA, "11100000000000000X", EntityKind.CentralBank, centralBank);
  await register(bankA, "91310000100000000B", EntityKind.Bank, bankB);
  await register(bankA, "91440300MA5XXXXXX1", EntityKind.Enterprise, enterpriseX);
  await register(bankA, "11100000000000001R", EntityKind.Regulator, regulator);
  console.log("...and bank B verifies bank A, enterprise Y and enterprise Z; bank A also verifies enterprise W");
  await register(bankB, "91110000100000000A", EntityKind.Bank, bankA);
  await register(bankB, "91330100MA2YYYYYY2", EntityKind.Enterprise, enterpriseY);
  await register(bankB, "91440300MA5ZZZZZZ3", EntityKind.Enterprise, enterpriseZ);
  await register(bankA, "91320500MA1WWWWWW4", EntityKind.Enterprise, enterpriseW);

  heading("3. Bank B onboards enterprise X, relying on bank A's KYC");
  const [xKind] = await registry.connect(bankB).kindsIfVerified(enterpriseX.address, hre.ethers.ZeroAddress);
  console.log(`bank B asks the registry whether X is verified, and as what: ${EntityKind[Number(xKind)]}`);
  const x = await showIdentity(registry, enterpriseX.address);
  console.log(
    `bank B reads X's record (identity records are public; the KYC documents stay with bank A): ${x.kind}, ` +
      `${x.status}, verified until ${x.expiresAt}, verified by ${x.provider === bankA.address ? "bank A" : x.provider}`,
  );
  await refused("bank B registering X a second time", () =>
    register(bankB, "91440300MA5XXXXXX1", EntityKind.Enterprise, enterpriseX),
  );
  console.log("no second KYC: bank B will pay X on the strength of bank A's verification (step 4)");

  heading("4. The central bank issues money; bank B pays enterprise X; X pays Y");
  await mint(cash.connect(centralBank), bankA.address, 5_000_000_00n);
  await mint(cash.connect(centralBank), bankB.address, 5_000_000_00n);
  console.log("minted 5,000,000.00 to bank A and to bank B");
  await transfer(cash.connect(bankB), enterpriseX.address, 1_200_000_00n);
  console.log("bank B -> enterprise X: 1,200,000.00");
  await transfer(cash.connect(enterpriseX), enterpriseY.address, 300_000_00n);
  console.log("enterprise X -> enterprise Y: 300,000.00");
  await balances();

  heading("5. A payment to an unverified wallet is refused");
  await refused(`enterprise X -> unverified wallet ${stranger.address}`, () =>
    transfer(cash.connect(enterpriseX), stranger.address, 1_000_00n),
  );

  heading("6. A court orders 250,000.00 of enterprise Y's money frozen (the regulator carries it out)");
  await freeze(cash.connect(regulator), enterpriseY.address, 250_000_00n);
  await balances();
  await refused("enterprise Y paying 100,000.00 (only 50,000.00 is free)", () =>
    transfer(cash.connect(enterpriseY), enterpriseX.address, 100_000_00n),
  );
  await transfer(cash.connect(enterpriseY), enterpriseX.address, 50_000_00n);
  console.log("enterprise Y paying 50,000.00: done");
  await refused("the regulator moving Y's money to itself", () =>
    cash.connect(regulator).transferFrom(enterpriseY.address, regulator.address, 1n),
  );
  await unfreeze(cash.connect(regulator), enterpriseY.address, 250_000_00n);
  console.log("the order is lifted: 250,000.00 released");
  await balances();

  heading("7. Bank A returns 1,000,000.00 to the central bank, which redeems it");
  await transfer(cash.connect(bankA), centralBank.address, 1_000_000_00n);
  await burn(cash.connect(centralBank), 1_000_000_00n);
  await balances();
  console.log(`\ntotal supply: ${formatCny(await cash.totalSupply())}`);

  const names = new Map<string, string>([
    [enterpriseX.address, "enterprise X"],
    [enterpriseY.address, "enterprise Y"],
    [enterpriseZ.address, "enterprise Z"],
    [bankA.address, "bank A"],
    [bankB.address, "bank B"],
    [enterpriseW.address, "enterprise W"],
  ]);
  const nameOf = (address: string) => names.get(address) ?? address;
  const showRanges = async (billId: bigint) => {
    const ranges = await rangesOfBill(ledger, billId);
    console.log(
      table(
        ranges.map((r) => ({
          units: `${r.start}..${r.end}`,
          "face (CNY)": formatCny(r.units),
          holder: nameOf(r.holder),
          state: r.state,
          pending: r.pendingAct === "None" ? "-" : `${r.pendingAct} to ${nameOf(r.counterparty)}`,
        })),
      ),
    );
  };

  heading("8. Envelope keys: the regulator publishes its view key; X, Y, bank A and bank B publish theirs");
  // Private keys stay with their owners (here, in memory); only the public keys go on chain.
  const viewKey = newEncryptionKey();
  await (await deployed.encryptionKeys.connect(regulator).rotateViewKey(viewKey.publicKey)).wait();
  for (const w of [enterpriseX, enterpriseY, bankA, bankB]) {
    await (await deployed.encryptionKeys.connect(w).setEntityKey(newEncryptionKey().publicKey)).wait();
  }
  console.log(`view key version 1: ${viewKey.publicKey}`);

  heading("9. Enterprise X draws a CNY 1,200,000.00 bank acceptance bill: acceptor bank A, payee enterprise Y");
  const today = cstDayOf((await hre.ethers.provider.getBlock("latest"))!.timestamp + 1);
  const { billId, tradeHash } = await issueSealedBill(
    connectPlatform(deployed, enterpriseX),
    {
      billType: BillType.BankAcceptance,
      acceptor: bankA.address,
      payee: enterpriseY.address,
      face: 1_200_000_00n,
      maturityDay: today + 90,
    },
    {
      contract: "purchase contract PC-2026-001",
      invoice: "044031900111",
      drawer: "Shenzhen X Trading Co., Ltd.",
      payee: "Hangzhou Y Manufacturing Co., Ltd.",
    },
  );
  console.log(
    `the trade background is sealed for X, bank A, Y and the regulator and posted on the envelope board; the bill ` +
      `commits to it: tradeHash ${tradeHash}`,
  );
  const terms = await ledger.bill(billId);
  console.log(
    `bill ${billId}: units 1..${terms.face} (one unit = 0.01 CNY), ` +
      `issued ${isoFromDay(terms.issueDay)}, matures ${isoFromDay(terms.maturityDay)}`,
  );
  await showRanges(billId);

  heading("10. Acceptance: X presents the bill, bank A signs its promise to pay");
  await presentForAcceptance(ledger.connect(enterpriseX), billId);
  await showRanges(billId);
  await sign(ledger.connect(bankA), billId, 1n);
  await showRanges(billId);

  heading("11. Receipt: X presents the bill to Y, which signs for it; the bill now circulates");
  await presentForReceipt(ledger.connect(enterpriseX), billId);
  await sign(ledger.connect(enterpriseY), billId, 1n);
  await showRanges(billId);

  heading("12. Y endorses CNY 300,000.00 of it to enterprise Z: the holding splits, Z signs");
  await endorse(ledger.connect(enterpriseY), billId, 1n, 300_000_00n, enterpriseZ.address);
  await showRanges(billId);
  await sign(ledger.connect(enterpriseZ), billId, 1n);
  await showRanges(billId);
  await refused("Z endorsing its part to bank B (endorsement goes to enterprises)", () =>
    endorse(ledger.connect(enterpriseZ), billId, 1n, 300_000_00n, bankB.address),
  );

  heading("13. Y pledges the rest to bank B as security for a loan; bank B signs, later releases");
  const rest = 300_000_01n;
  await pledge(ledger.connect(enterpriseY), billId, rest, 900_000_00n, bankB.address);
  await sign(ledger.connect(bankB), billId, rest);
  await showRanges(billId);
  await refused("Y endorsing its pledged range", () =>
    endorse(ledger.connect(enterpriseY), billId, rest, 900_000_00n, enterpriseX.address),
  );
  await releasePledge(ledger.connect(bankB), billId, rest);
  await showRanges(billId);
  const chain = await liabilityChain(ledger.connect(enterpriseZ), billId, 1n);
  console.log(
    "Z's range, liable parties: drawer X, acceptor bank A, then " +
      chain.map((l) => `${LinkKind[l.kind].toLowerCase()} by ${nameOf(l.party)}`).join(", ") +
      " (rebuilt from events, checked against the ledger's commitment)",
  );

  heading(
    "14. A second bill: W draws and accepts its own commercial bill of CNY 100,000.00 to X; X endorses to Y, Y to Z",
  );
  const { billId: bill2 } = await issueBill(ledger.connect(enterpriseW), {
    billType: BillType.CommercialAcceptance,
    acceptor: enterpriseW.address,
    payee: enterpriseX.address,
    face: 100_000_00n,
    maturityDay: today + 30,
    tradeBackground: "supply contract SC-2026-077",
  });
  await presentForAcceptance(ledger.connect(enterpriseW), bill2);
  await sign(ledger.connect(enterpriseW), bill2, 1n);
  await presentForReceipt(ledger.connect(enterpriseW), bill2);
  await sign(ledger.connect(enterpriseX), bill2, 1n);
  for (const [from, to] of [
    [enterpriseX, enterpriseY],
    [enterpriseY, enterpriseZ],
  ]) {
    await endorse(ledger.connect(from), bill2, 1n, 100_000_00n, to.address);
    await sign(ledger.connect(to), bill2, 1n);
  }
  await showRanges(bill2);

  const cashRows = async (...who: HardhatEthersSigner[]) => {
    const rows = [];
    for (const w of who) rows.push({ holder: nameOf(w.address), balance: formatCny(await cash.balanceOf(w.address)) });
    console.log(table(rows));
  };

  heading(`15. ${isoFromDay(today + 30)}, maturity of bill ${bill2}: Z presents, W dishonours (reason 1: no funds)`);
  await time.increaseTo(startOfCstDay(today + 30) + 10 * 3600);
  await presentForPayment(payments.connect(enterpriseZ), bill2, 1n);
  await dishonour(payments.connect(enterpriseW), bill2, 1n, 1);
  await showRanges(bill2);

  heading("16. Recourse, twice back along the chain: Z claims from Y five days later, then Y from X");
  await time.increase(5 * 86_400);
  await claimRecourse(payments.connect(enterpriseZ), ledger.connect(enterpriseZ), bill2, 1n, enterpriseY.address);
  const owed = await payments.recourseAmount(bill2, 100_000_00n, (await time.latest()) + 1);
  console.log(`Y owes ${formatCny(owed)}: face 100,000.00 + 5 days at 4.35% a year, act/360, rounded up`);
  await cashRows(enterpriseY, enterpriseZ);
  await payRecourse(payments.connect(enterpriseY), ledger.connect(enterpriseY), cash.connect(enterpriseY), bill2, 1n);
  console.log("Y pays Z and takes the range, in one transaction:");
  await cashRows(enterpriseY, enterpriseZ);
  await showRanges(bill2);
  await refused("Y claiming from Z, which is later in the chain", () =>
    claimRecourse(payments.connect(enterpriseY), ledger.connect(enterpriseY), bill2, 1n, enterpriseZ.address),
  );
  await claimRecourse(payments.connect(enterpriseY), ledger.connect(enterpriseY), bill2, 1n, enterpriseX.address);
  await payRecourse(payments.connect(enterpriseX), ledger.connect(enterpriseX), cash.connect(enterpriseX), bill2, 1n);
  console.log("X pays Y and takes the range; X may still claim from the drawer and acceptor, W:");
  await cashRows(enterpriseX, enterpriseY);
  await showRanges(bill2);

  // ---------------------------------------------------------------- delivery versus payment
  names.set(centralBank.address, "central bank");
  names.set(operator.address, "settlement agent");
  const engineAddress = await engine.getAddress();
  const ledgerAddress = await ledger.getAddress();
  const cashAddress = await cash.getAddress();
  for (const payer of [bankA, bankB, centralBank, enterpriseY]) {
    await (await cash.connect(payer).approve(engineAddress, hre.ethers.MaxUint256)).wait();
  }
  await mint(cash.connect(centralBank), centralBank.address, 1_000_000_00n);
  const traders = [enterpriseY, bankA, bankB, centralBank];
  const holdings = async () => {
    const rows = [];
    for (const w of traders) {
      const held = (await rangesOfBill(ledger, billId)).filter((r) => r.holder === w.address);
      rows.push({
        party: nameOf(w.address),
        balance: formatCny(await cash.balanceOf(w.address)),
        "bill units held":
          held.map((r) => `${r.start}..${r.end}${r.state === "Circulating" ? "" : ` ${r.state}`}`).join(", ") || "-",
      });
    }
    console.log(table(rows));
  };
  const day = async () => BigInt(cstDayOf(await time.latest()));
  const maturity = Number(terms.maturityDay);
  const termsOf = async (
    kind: TradeKind,
    maker: HardhatEthersSigner,
    taker: HardhatEthersSigner,
    makerLeg: Leg,
    takerLeg: Leg,
    extra: Partial<Terms> = {},
  ): Promise<Terms> => ({
    kind,
    maker: maker.address,
    taker: taker.address,
    makerLeg,
    takerLeg,
    rate: 0n,
    valueDay: await day(),
    endDay: 0n,
    closingAmount: 0n,
    deadline: BigInt(await time.latest()) + 3600n,
    nonce: freshNonce(),
    confidential: ethers.ZeroHash,
    ...extra,
  });
  // A discount-type trade of `units` units from `start`: the seller makes it, priced by the TypeScript formula and
  // checked against the engine's own quote.
  const priced = async (
    kind: TradeKind,
    seller: HardhatEthersSigner,
    buyer: HardhatEthersSigner,
    start: bigint,
    units: bigint,
    rate: bigint,
  ) => {
    const days = BigInt(rollForward(maturity, marks)) - (await day());
    const proceeds = discountProceeds(units, rate, days);
    const [onChain] = await engine.discountProceeds(billId, units, rate, await day());
    console.log(
      `${nameOf(seller.address)} sells ${formatCny(units)} face to ${nameOf(buyer.address)} at ${formatRate(rate)}: ` +
        `${days} days to ${isoFromDay(rollForward(maturity, marks))}, proceeds ${formatCny(proceeds)} ` +
        `(engine quote ${formatCny(onChain)})`,
    );
    return termsOf(kind, seller, buyer, billLeg(ledgerAddress, billId, start, units), tokenLeg(cashAddress, proceeds), {
      rate,
    });
  };

  heading(`17. A holiday: the calendar admin marks ${isoFromDay(maturity)}, bill ${billId}'s maturity, a holiday`);
  const marks = new Map<number, 1 | 2>([[maturity, 1]]);
  await (await calendar.connect(operator).markDays([maturity], 1)).wait();
  console.log(`discounts now count to ${isoFromDay(rollForward(maturity, marks))}, the next business day`);

  heading("18. Discount, two-phase: Y proposes CNY 400,000.00 of its range to bank A at 2.00%; bank A accepts");
  const discount = await priced(TradeKind.Discount, enterpriseY, bankA, rest, 400_000_00n, 20_000n);
  await holdings();
  await (await engine.connect(enterpriseY).propose(discount)).wait();
  console.log(`proposed: trade ${await tradeIdOf(engine, discount)}; Y's range is escrowed in place:`);
  await holdings();
  await refused("bank A accepting different terms (a price one fen lower)", () =>
    engine
      .connect(bankA)
      .accept({ ...discount, takerLeg: { ...discount.takerLeg, amount: discount.takerLeg.amount - 1n } }),
  );
  await (await engine.connect(bankA).accept(discount)).wait();
  console.log("accepted: the range and the money moved in one transaction");
  await holdings();

  heading(
    "19. Rediscount by signed orders: bank A sells CNY 200,000.00 to bank B at 1.80%; both sign, the agent submits",
  );
  const priced18 = await priced(TradeKind.Rediscount, bankA, bankB, rest, 200_000_00n, 18_000n);
  const sealedTerms = await sealAndPost(
    connectPlatform(deployed, bankA),
    {
      note: "rediscount under the master agreement MA-2026-17 between bank A and bank B",
      reference: "BA-RD-0042",
    },
    [bankA.address, bankB.address],
  );
  const rediscount = { ...priced18, confidential: sealedTerms.commitment };
  console.log(`its side terms are sealed and posted; both sign the commitment: ${sealedTerms.commitment}`);
  const makerSignature = await signTerms(engine, bankA, rediscount);
  // Bank B holds nothing of the bill yet; it reads the bill of bank A's leg from the ledger, where every bill is public.
  const offered = billTermsOf(billId, await ledger.bill(rediscount.makerLeg.billId));
  console.log(
    `bank B reads the bill of bank A's signed order before it signs: ${offered.billType}, accepted by ` +
      `${nameOf(offered.acceptor)}, face ${formatCny(offered.face)}, maturing ${offered.maturityDate}`,
  );
  const order = { terms: rediscount, makerSignature, takerSignature: await signTerms(engine, bankB, rediscount) };
  await holdings();
  await (await engine.connect(operator).settle(order)).wait();
  await holdings();
  await refused("the agent submitting the same order again", () => engine.connect(operator).settle(order));

  heading("20. A batch of three signed trades, settled all or none; A's and B's payments to each other are netted");
  const batch = [
    await priced(TradeKind.Discount, enterpriseY, bankB, 700_000_01n, 100_000_00n, 20_000n),
    await priced(TradeKind.Rediscount, bankB, bankA, rest, 100_000_00n, 18_000n),
    await termsOf(
      TradeKind.OutrightSale,
      bankA,
      bankB,
      billLeg(ledgerAddress, billId, 500_000_01n, 100_000_00n),
      tokenLeg(cashAddress, 99_500_00n),
    ),
  ];
  console.log("and bank A sells CNY 100,000.00 face to bank B outright at a quoted 99,500.00");
  const orders = [];
  for (const t of batch) {
    const maker = traders.find((w) => w.address === t.maker)!;
    const taker = traders.find((w) => w.address === t.taker)!;
    orders.push({
      terms: t,
      makerSignature: await signTerms(engine, maker, t),
      takerSignature: await signTerms(engine, taker, t),
    });
  }
  await holdings();
  const batchReceipt = await (await engine.connect(operator).settleBatch(orders)).wait();
  const transfers = batchReceipt!.logs.filter((l) => l.address === cashAddress).length;
  console.log(`three trades, three payments, ${transfers} currency transfers (A's and B's payments netted):`);
  await holdings();

  heading(
    "21. Pledge repo: bank B borrows CNY 95,000.00 from bank A for 7 days at 1.50%, pledging CNY 100,000.00 face",
  );
  const valueDay = await day();
  const endDay = BigInt(rollForward(Number(valueDay) + 7, marks));
  const principal = 95_000_00n;
  const repayment = repoRepayment(principal, 15_000n, endDay - valueDay);
  console.log(
    `closing ${isoFromDay(endDay)}: B repays ${formatCny(repayment)} (principal + act/360 interest, rounded up)`,
  );
  const repo = await termsOf(
    TradeKind.PledgeRepo,
    bankB,
    bankA,
    billLeg(ledgerAddress, billId, 400_000_01n, 100_000_00n),
    tokenLeg(cashAddress, principal),
    { rate: 15_000n, endDay, closingAmount: repayment },
  );
  await holdings();
  await (await engine.connect(bankB).propose(repo)).wait();
  await (await engine.connect(bankA).accept(repo)).wait();
  console.log("opened: the range is pledged (held by bank B, pledged through the engine), the principal paid");
  await holdings();
  await time.increaseTo(startOfCstDay(Number(endDay)) + 10 * 3600);
  await (await engine.connect(bankB).closeRepo(repo)).wait();
  console.log(`closed on ${isoFromDay(endDay)}: B repaid, the pledge is released`);
  await holdings();

  heading(
    "22. Central-bank rediscount: bank A offers its two ranges to the central bank at 1.50%; it accepts both at once",
  );
  const cbr = [
    await priced(TradeKind.CentralBankRediscount, bankA, centralBank, rest, 100_000_00n, 15_000n),
    await priced(TradeKind.CentralBankRediscount, bankA, centralBank, 600_000_01n, 100_000_00n, 15_000n),
  ];
  await holdings();
  for (const t of cbr) await (await engine.connect(bankA).propose(t)).wait();
  await (await engine.connect(centralBank).acceptBatch(cbr)).wait();
  await holdings();
  await refused("bank B selling to enterprise Y as a central-bank rediscount", async () =>
    engine
      .connect(bankB)
      .propose(await priced(TradeKind.CentralBankRediscount, bankB, enterpriseY, 400_000_01n, 100_000_00n, 15_000n)),
  );

  heading(`23. ${isoFromDay(maturity)}, maturity of bill ${billId}: every holder presents, bank A pays each (DvP)`);
  await time.increaseTo(startOfCstDay(maturity) + 10 * 3600);
  await cashRows(bankA, bankB, centralBank, enterpriseZ, enterpriseY);
  for (const r of await rangesOfBill(ledger, billId)) {
    const holder = (await hre.ethers.getSigners()).find((w) => w.address === r.holder)!;
    await presentForPayment(payments.connect(holder), billId, r.start);
    await payBill(payments.connect(bankA), ledger.connect(bankA), cash.connect(bankA), billId, r.start);
  }
  await cashRows(bankA, bankB, centralBank, enterpriseZ, enterpriseY);
  await showRanges(billId);
  await refused("bank A paying Z's range a second time", () =>
    payBill(payments.connect(bankA), ledger.connect(bankA), cash.connect(bankA), billId, 1n),
  );

  heading("24. The regulator's audit of everything above, with its view key: envelopes decrypted and checked");
  const byRegulator = connectPlatform(deployed, regulator);
  const report = await audit(byRegulator, await blockRange(byRegulator), { viewKeys: [viewKey.privateKey] });
  console.log(renderAudit(report));
  const sealed = report.envelopes.filter((e) => e.status === "verified");
  if (sealed.length < 2 || report.flags.length > 0)
    throw new Error("the audit should verify both envelopes, flag none");

  heading("25. What an outsider sees: every record in the clear, but not the sealed terms");
  // Every view answers any caller, as storage and events answer anyone who runs a node (README *Threat model*).
  const [discountStatus] = await engine.connect(stranger).tradeOf(discount);
  console.log(
    `the discount of step 18: ${TradeStatus[Number(discountStatus)]} (its terms, price included, are in its events)`,
  );
  const seen = await ledger.connect(stranger).bill(billId);
  console.log(
    `bill ${billId}: face ${formatCny(seen.face)}, drawn by ${nameOf(seen.drawer)}, tradeHash ${seen.tradeHash}`,
  );
  const seenX = await registry.connect(stranger).identityOf(enterpriseX.address);
  console.log(`enterprise X: entity ${seenX.entityId}, ${EntityKind[Number(seenX.kind)]}, verified ${seenX.verified}`);
  await refused("an outsider opening the rediscount's sealed side terms", () =>
    openPosted(deployed.envelopeBoard, sealedTerms.commitment, stranger.address, newEncryptionKey().privateKey),
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
