/**
 * Gas benchmark: every platform operation next to its plain OpenZeppelin baseline, measured in one run on the
 * in-process Hardhat network, and the code size of every deployed platform contract. Prints both tables, writes
 * bench/results/gas.json and exits non-zero if a budget set by the issues is exceeded or a contract has less than
 * MIN_HEADROOM bytes left under the EIP-170 limit.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { Wallet, id, type ContractTransactionResponse, type Signer } from "ethers";
import { EntityKind, registerEntity } from "../tasks/lib/identity";
import { fundedPlatform } from "../test/fixtures/platform";
import { billsPlatform } from "../test/fixtures/bills";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { BillType, cstDayOf, startOfCstDay } from "../tasks/lib/bills";
import { billLeg, signTerms, tokenLeg, TradeKind, type Terms } from "../tasks/lib/dvp";
import { discountTerms, termsOf, tradingPlatform } from "../test/fixtures/dvp";
import { printBreakdown, traceGas } from "./gasTrace";

type Figures = Record<string, number>;

/**
 * A budget: at most `factor` × the baseline measured in the same run, or at most `limit` gas. An `open` budget is an
 * issue's target the contracts do not meet yet: the run prints how far off it is and does not fail on it.
 */
type Budget = { operation: string; open?: string } & ({ baseline: string; factor: number } | { limit: number });

/** Every budget is enforced (issue 11 settled the engine's against the KYC-gated design; README *Gas*). */
const BUDGETS: Budget[] = [
  { operation: "cash.transfer", baseline: "baseline.erc20.transfer", factor: 1.3 },
  { operation: "bill.endorse.whole", baseline: "baseline.erc1155.transfer", factor: 3 },
  { operation: "bill.presentAndPay", limit: 195_000 },
  { operation: "dvp.atomic", baseline: "baseline.swap", factor: 2.15 },
  { operation: "dvp.twoPhase", baseline: "baseline.swap", factor: 3.7 },
  { operation: "dvp.batch20.perTrade", baseline: "dvp.atomic", factor: 0.5 },
  { operation: "dvp.discount.partial", limit: 200_000, open: "issue 17" },
  { operation: "dvp.batch20.discount.partial.perTrade", limit: 140_000, open: "issue 17" },
];

/** EIP-170's limit on deployed code, and the room every platform contract keeps under it for the next feature. */
const CODE_LIMIT = 24_576;
const MIN_HEADROOM = 2_000;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

/** The transaction of each single-transaction figure, and a name for each contract, for BENCH_TRACE. */
const measuredTx: Record<string, string> = {};
const contractNames: Record<string, string> = {};

/** Gas of `tx`, kept under `operation` for BENCH_TRACE. */
async function tracked(operation: string, tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = (await (await tx).wait())!;
  measuredTx[operation] = receipt.hash;
  return Number(receipt.gasUsed);
}

async function measure(figures: Figures, operation: string, tx: Promise<ContractTransactionResponse>) {
  figures[operation] = await tracked(operation, tx);
}

async function nameContracts(contracts: Record<string, { getAddress(): Promise<string> }>) {
  for (const [name, contract] of Object.entries(contracts)) {
    contractNames[(await contract.getAddress()).toLowerCase()] = name;
  }
}

async function measureCurrency(figures: Figures) {
  const { accounts, suite } = await fundedPlatform();
  const { enterpriseX, enterpriseY } = accounts;
  const cash = suite.digitalCurrency.connect(enterpriseX);
  // Both sides already hold money; the first transfer warms nothing across transactions, it only makes the
  // measured one a typical "existing holder to existing holder" transfer.
  await gasOf(cash.transfer(enterpriseY.address, 1_00n));
  await measure(figures, "cash.transfer", cash.transfer(enterpriseY.address, 2_50n));

  // What KYC changes cost now that the registry publishes them to the currency (one subscriber, one wallet).
  const { bankA, extra } = accounts;
  const expiresAt = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp) + 365n * 24n * 60n * 60n;
  const registered = await registerEntity(suite.identityRegistry.connect(bankA), {
    code: "91110000BENCH00001",
    kind: EntityKind.Enterprise,
    jurisdiction: "CN",
    expiresAt,
    wallets: [extra[0].address],
  });
  figures["identity.registerEntity"] = Number(registered.receipt!.gasUsed);
  figures["identity.suspendEntity"] = await gasOf(
    suite.identityRegistry.connect(bankA).suspendEntity(registered.entityId),
  );

  const [deployer, , , , , holder] = await hre.ethers.getSigners();
  const plain = await hre.ethers.deployContract("PlainERC20", [1_000_000_00n], deployer);
  await gasOf(plain.transfer(holder.address, 1_00n));
  await measure(figures, "baseline.erc20.transfer", plain.transfer(holder.address, 2_50n));
  await nameContracts({ ...suite, PlainERC20: plain });
}

const sumGas = async (...txs: (() => Promise<ContractTransactionResponse>)[]) => {
  let total = 0;
  for (const tx of txs) total += await gasOf(tx());
  return total;
};

async function measureBills(figures: Figures) {
  const { accounts, suite } = await billsPlatform();
  const { enterpriseX: x, enterpriseY: y, enterpriseZ: z, bankA } = accounts;
  const ledger = suite.billLedger;
  const today = cstDayOf((await hre.ethers.provider.getBlock("latest"))!.timestamp + 1);
  const params = (payee: string) => ({
    billType: BillType.BankAcceptance,
    acceptor: bankA.address,
    payee,
    face: 120_000_000n,
    maturityDay: today + 90,
    tradeHash: hre.ethers.id("purchase contract"),
    notTransferable: false,
    splittable: true,
  });
  // Issue through receipt: issue, present for acceptance, accept, present for receipt, receive.
  const lifeOf = async (payee: typeof y) => {
    const id = (await ledger.billCount()) + 1n;
    const gas = await sumGas(
      () => ledger.connect(x).issue(params(payee.address)),
      () => ledger.connect(x).presentForAcceptance(id),
      async () => ledger.connect(bankA).sign(id, 1, await ledger.connect(bankA).applicationTerms(id, 1)),
      () => ledger.connect(x).presentForReceipt(id),
      async () => ledger.connect(payee).sign(id, 1, await ledger.connect(payee).applicationTerms(id, 1)),
    );
    return { id, gas };
  };
  const first = await lifeOf(y);
  figures["bill.issue"] = first.gas;
  // Both sides already hold ranges, as the ERC1155 baseline's recipient already holds tokens.
  await lifeOf(z);
  figures["bill.endorse.whole"] = await sumGas(
    () => ledger.connect(y).endorse(first.id, 1, 120_000_000n, z.address, false),
    async () => ledger.connect(z).sign(first.id, 1, await ledger.connect(z).applicationTerms(first.id, 1)),
  );
  figures["bill.endorse.partial"] = await sumGas(
    () => ledger.connect(z).endorse(first.id, 1, 20_000_000n, y.address, false),
    async () => ledger.connect(y).sign(first.id, 1, await ledger.connect(y).applicationTerms(first.id, 1)),
  );

  // Present + pay at maturity, the acceptor already approved: Y's range (its holding after the partial endorsement).
  await gasOf(suite.digitalCurrency.connect(bankA).approve(await suite.billPayments.getAddress(), 120_000_000n));
  await time.increaseTo(startOfCstDay(today + 90) + 3600);
  const start = 1n;
  figures["bill.presentAndPay"] = await sumGas(
    () => suite.billPayments.connect(y).presentForPayment(first.id, start),
    () => suite.billPayments.connect(bankA).pay(first.id, start),
  );

  const [deployer, , , , , holder] = await hre.ethers.getSigners();
  const plain = await hre.ethers.deployContract("PlainERC1155", [1_000_000n], deployer);
  await gasOf(plain.safeTransferFrom(deployer.address, holder.address, 1, 10, "0x"));
  await measure(
    figures,
    "baseline.erc1155.transfer",
    plain.safeTransferFrom(deployer.address, holder.address, 1, 25, "0x"),
  );
  await nameContracts({ ...suite, PlainERC1155: plain });
}

async function measureDvp(figures: Figures) {
  const f = await tradingPlatform();
  const { accounts, suite } = f;
  const { enterpriseY: y, bankA: a, bankB: b } = accounts;
  const engine = suite.settlementEngine;
  const UNITS = 1_000_000n;
  // Enterprise Y discounts 25 ranges of the fixture bill to bank A and one to bank B, so that both banks hold
  // ranges and money. Each discount is a signed order that the bank submits.
  let start = 1n;
  const discount = async (buyer: typeof a) => {
    const terms = await discountTerms(f, y, buyer, UNITS, { start });
    await gasOf(
      engine.connect(buyer).settle({ terms, makerSignature: await signTerms(engine, y, terms), takerSignature: "0x" }),
    );
    start += UNITS;
    return terms;
  };
  const measuredDiscount = await discount(a);
  figures["dvp.atomic.discount"] = 0;
  for (let i = 0; i < 24; i++) await discount(a);
  await discount(b);

  // Bank A sells a whole range to bank B at a quoted price (outright sale), by a signed order bank B submits.
  // Nonces are consecutive, so they share one bitmap word, as a bank's orders do.
  let rangeStart = 1n;
  let nonce = 1_000n;
  const sale = async (): Promise<Terms> => {
    const terms = await termsOf(
      TradeKind.OutrightSale,
      a,
      b,
      billLeg(f.ledger, f.billId, rangeStart, UNITS),
      tokenLeg(f.currency, 990_000n),
      { nonce: nonce++ },
    );
    rangeStart += UNITS;
    return terms;
  };
  const settleSigned = async (terms: Terms) =>
    engine.connect(b).settle({ terms, makerSignature: await signTerms(engine, a, terms), takerSignature: "0x" });
  await gasOf(settleSigned(await sale()));
  await measure(figures, "dvp.atomic", settleSigned(await sale()));

  const proposal = await sale();
  figures["dvp.twoPhase"] =
    (await tracked("dvp.twoPhase.propose", engine.connect(a).propose(proposal))) +
    (await tracked("dvp.twoPhase.accept", engine.connect(b).accept(proposal)));

  const orders = [];
  for (let i = 0; i < 20; i++) {
    const terms = await sale();
    orders.push({ terms, makerSignature: await signTerms(engine, a, terms), takerSignature: "0x" });
  }
  figures["dvp.batch20.perTrade"] = Math.round((await gasOf(engine.connect(b).settleBatch(orders))) / 20);

  // A rediscount prices the range on chain (the bill's maturity, the calendar): bank B sells to bank A.
  const rediscount = await discountTerms(f, b, a, UNITS, {
    start: measuredDiscount.makerLeg.start + 25n * UNITS,
    kind: TradeKind.Rediscount,
  });
  await measure(
    figures,
    "dvp.atomic.rediscount",
    engine
      .connect(a)
      .settle({ terms: rediscount, makerSignature: await signTerms(engine, b, rediscount), takerSignature: "0x" }),
  );
  delete figures["dvp.atomic.discount"];

  // Baseline: the same swap by a contract with standing approvals and no checks, both sides holding both assets.
  const [deployer, , , , , holder] = await hre.ethers.getSigners();
  const items = await hre.ethers.deployContract("PlainERC1155", [1_000_000n], deployer);
  const money = await hre.ethers.deployContract("PlainERC20", [1_000_000_00n], deployer);
  const swapper = await hre.ethers.deployContract("BaselineSwap", [], deployer);
  await gasOf(items.safeTransferFrom(deployer.address, holder.address, 1, 10, "0x"));
  await gasOf(money.transfer(holder.address, 100_000_00n));
  await gasOf(items.setApprovalForAll(await swapper.getAddress(), true));
  await gasOf(money.connect(holder).approve(await swapper.getAddress(), hre.ethers.MaxUint256));
  const swap = () =>
    swapper.swap(items.getAddress(), 1, 25, deployer.address, money.getAddress(), 990_000n, holder.address);
  await gasOf(swap());
  await measure(figures, "baseline.swap", swap());
  await nameContracts({ ...suite, PlainERC1155: items, PlainERC20: money, BaselineSwap: swapper });
}

/**
 * The trade a desk makes most: an enterprise discounts part of its range to a bank, both sign and the settlement
 * agent submits; the engine prices it. Twenty enterprises each hold a range of the fixture bill, so a batch pays twenty enterprises and nothing nets. Nonces are consecutive, so each signer's share
 * one bitmap word, as a desk's do.
 */
async function measureDiscounts(figures: Figures) {
  const f = await tradingPlatform();
  const { accounts, suite } = f;
  const { enterpriseY: y, bankA, bankB, financeCo, centralBank, admin: agent } = accounts;
  const engine = suite.settlementEngine.connect(agent);
  const banks = [bankA, bankB, financeCo];
  const UNITS = 1_000_000n;
  let nonce = 1n;
  const order = async (terms: Terms, maker: Signer, taker: Signer) => {
    const numbered = { ...terms, nonce: nonce++ };
    return {
      terms: numbered,
      makerSignature: await signTerms(engine, maker, numbered),
      takerSignature: await signTerms(engine, taker, numbered),
    };
  };

  // 23 enterprises, each holding money (as a desk's counterparties do) and 2 × UNITS units of enterprise Y's
  // range, bought by a swap.
  const expiresAt = BigInt(await time.latest()) + 365n * 86_400n;
  const sellers: Wallet[] = [];
  for (let i = 0; i < 23; i++) {
    // Fixed keys, so that every run measures the same addresses (calldata gas depends on their bytes).
    const seller = new Wallet(id(`bill-dvp bench enterprise ${i}`), hre.ethers.provider);
    await hre.network.provider.send("hardhat_setBalance", [seller.address, "0x56BC75E2D63100000"]);
    await registerEntity(suite.identityRegistry.connect(bankA), {
      code: `91110000DESK${String(i).padStart(6, "0")}`,
      kind: EntityKind.Enterprise,
      jurisdiction: "CN",
      expiresAt,
      wallets: [seller.address],
    });
    await gasOf(suite.digitalCurrency.connect(centralBank).transfer(seller.address, 1_00n));
    await gasOf(suite.digitalCurrency.connect(seller).approve(f.engine, hre.ethers.MaxUint256));
    const leg = billLeg(f.ledger, f.billId, 1n + BigInt(i) * 2n * UNITS, 2n * UNITS);
    const swap = await termsOf(TradeKind.Swap, y, seller, leg, tokenLeg(f.currency, 1n));
    await gasOf(engine.settle(await order(swap, y, seller)));
    sellers.push(seller);
  }
  const start = (i: number) => 1n + BigInt(i) * 2n * UNITS;
  const discount = async (i: number, from: bigint, bank = banks[i % 3]) =>
    order(await discountTerms(f, sellers[i], bank, UNITS, { start: from }), sellers[i], bank);

  // Sellers 0 to 2 sell the first half of their range (a split), then the second half (the whole rest); the
  // measured trades are bank A's third and fourth, as a bank's trades are after its first.
  await gasOf(engine.settle(await discount(0, start(0), bankA)));
  await gasOf(engine.settle(await discount(1, start(1), bankA)));
  await measure(figures, "dvp.discount.partial", engine.settle(await discount(2, start(2), bankA)));
  await gasOf(engine.settle(await discount(0, start(0) + UNITS, bankA)));
  await gasOf(engine.settle(await discount(1, start(1) + UNITS, bankA)));
  await measure(figures, "dvp.discount.whole", engine.settle(await discount(2, start(2) + UNITS, bankA)));
  // Banks B and the finance company have signed before too (a cancelled order stands for their earlier trades).
  for (const bank of [bankB, financeCo]) await gasOf(suite.settlementEngine.connect(bank).cancelNonce(nonce++));

  // A batch of twenty: sellers 3 to 22 each sell part of their range to one of the three banks.
  const batch = [];
  for (let i = 3; i < 23; i++) batch.push(await discount(i, start(i)));
  figures["dvp.batch20.discount.partial.perTrade"] = Math.round(
    (await tracked("dvp.batch20.discount.partial", engine.settleBatch(batch))) / 20,
  );
}

function report(figures: Figures): boolean {
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  console.log(`${"operation".padEnd(width)}  gas used`);
  for (const [operation, gas] of Object.entries(figures)) {
    console.log(`${operation.padEnd(width)}  ${gas.toLocaleString("en-US").padStart(9)}`);
  }
  console.log();
  let ok = true;
  for (const b of BUDGETS) {
    const gas = figures[b.operation];
    const [pass, text] =
      "limit" in b
        ? [gas <= b.limit, `${gas.toLocaleString("en-US")} gas (limit ${b.limit.toLocaleString("en-US")})`]
        : [
            gas / figures[b.baseline] <= b.factor,
            `${(gas / figures[b.baseline]).toFixed(3)} × ${b.baseline} (limit ${b.factor} ×)`,
          ];
    if (b.open !== undefined) {
      console.log(`${pass ? "within" : "OPEN  "} target (${b.open}): ${b.operation} = ${text}`);
      continue;
    }
    ok &&= pass;
    console.log(`${pass ? "within" : "OVER  "} budget: ${b.operation} = ${text}`);
  }
  return ok;
}

/** Deployed code size of every platform contract (test mocks aside), from the compiled artifacts. */
async function codeSizes(): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const name of await hre.artifacts.getAllFullyQualifiedNames()) {
    if (!name.startsWith("contracts/") || name.startsWith("contracts/test/")) continue;
    const artifact = await hre.artifacts.readArtifact(name);
    const bytes = (artifact.deployedBytecode.length - 2) / 2;
    if (bytes > 0) sizes[artifact.contractName] = bytes;
  }
  return sizes;
}

function reportSizes(sizes: Record<string, number>): boolean {
  const width = Math.max(...Object.keys(sizes).map((k) => k.length));
  console.log(`\n${"contract".padEnd(width)}  bytes   headroom (limit ${CODE_LIMIT.toLocaleString("en-US")})`);
  let ok = true;
  for (const [name, bytes] of Object.entries(sizes).sort((a, b) => b[1] - a[1])) {
    const headroom = CODE_LIMIT - bytes;
    const pass = headroom >= MIN_HEADROOM;
    ok &&= pass;
    const flag = pass ? "" : `  UNDER ${MIN_HEADROOM.toLocaleString("en-US")}`;
    const row = `${bytes.toLocaleString("en-US").padStart(6)}   ${headroom.toLocaleString("en-US").padStart(6)}${flag}`;
    console.log(`${name.padEnd(width)}  ${row}`);
  }
  return ok;
}

async function main() {
  const figures: Figures = {};
  await hre.run("compile", { quiet: true });
  await measureCurrency(figures);
  await measureBills(figures);
  await measureDvp(figures);
  await measureDiscounts(figures);
  const out = path.join(__dirname, "..", "bench", "results", "gas.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const sizes = await codeSizes();
  fs.writeFileSync(out, JSON.stringify({ ...figures, codeSize: sizes }, null, 2) + "\n");
  const budgetsMet = report(figures);
  const ok = reportSizes(sizes) && budgetsMet;
  console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
  // BENCH_TRACE=dvp.atomic,baseline.swap: where each of those transactions spends its gas.
  for (const operation of (process.env.BENCH_TRACE ?? "").split(",").filter(Boolean)) {
    const hash = measuredTx[operation];
    if (hash === undefined) throw new Error(`BENCH_TRACE: no single transaction is measured as ${operation}`);
    printBreakdown(operation, await traceGas(hash, contractNames));
  }
  if (!ok) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
