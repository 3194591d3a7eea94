/**
 * The `dvp` and `repo` tasks as a person uses them: a real `hardhat node`, an Ignition deployment from the CLI, the
 * parties and a circulating bill set up through the task library, then every trading step run as a separate
 * `hardhat` process. Checks prices against the independent TypeScript formulas, the ledger and balances after each
 * settlement, JSON output, and the one-line decoded refusal with exit code 1.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "ethers";
import {
  BillLedger__factory,
  DigitalCurrency__factory,
  IdentityRegistry__factory,
  type BillLedger,
  type DigitalCurrency,
} from "../../typechain-types";
import { BillType, cstDayOf, issueBill, presentForAcceptance, presentForReceipt, sign } from "../../tasks/lib/bills";
import { discountProceeds, isBusinessDay, repoRepayment, rollForward } from "../../tasks/lib/dvp";
import { EntityKind, registerEntity } from "../../tasks/lib/identity";
import { startLocalNode, type LocalNode } from "./localNode";

const NO_MARKS = new Map<number, 1 | 2>();
/** 2.5 % a year in millionths. */
const RATE = 25_000n;
const FACE = 120_000_000n;
const DISCOUNTED = 50_000_000n;
const SIGNED_UNITS = 30_000_000n;

/** Runs a task against this test's deployment and expects it to succeed. */
function ok(...args: string[]) {
  const result = node.task(...args);
  expect(result.code, `${args.join(" ")}: ${result.stderr}`).to.equal(0);
  return result.stdout;
}

const refused = (...args: string[]) => node.task(...args);

let node: LocalNode;

describe("DvP command line (e2e)", function () {
  this.timeout(180_000);
  let provider: ethers.JsonRpcProvider;
  let tmp: string;
  let ledger: BillLedger;
  let currency: DigitalCurrency;
  // Hardhat's default accounts: #0 admin and settlement agent, #1 central bank, #2 bank A and #3 bank B
  // (KYC providers), #4 enterprise X (drawer), #5 enterprise Y (payee and holder).
  let bankA: string, bankB: string, enterpriseY: string;
  let today: number;
  let maturityDay: number;
  let discountId: string;
  let signedId: string;

  const chainDay = async () => cstDayOf((await provider.getBlock("latest"))!.timestamp);

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dvp-e2e-"));
    // A port range apart from test/e2e/cli.test.ts, so both can run in one `hardhat test`.
    node = await startLocalNode(8900, "e2e-dvp");
    const addresses = node.addresses;

    // The cast, verified and funded, and a circulating bill held by enterprise Y: set up through the task library
    // (the kyc, cash and bill tasks have their own e2e test), so that this test spends its time on the dvp tasks.
    provider = new ethers.JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const [centralBank, a, b, enterpriseX, y] = await Promise.all([1, 2, 3, 4, 5].map((i) => provider.getSigner(i)));
    [bankA, bankB, enterpriseY] = [a.address, b.address, y.address];
    const registry = IdentityRegistry__factory.connect(addresses["IdentityRegistry#IdentityRegistry"], provider);
    currency = DigitalCurrency__factory.connect(addresses["DigitalCurrency#DigitalCurrency"], provider);
    ledger = BillLedger__factory.connect(addresses["BillLedger#BillLedger"], provider);
    const expiresAt = BigInt((await provider.getBlock("latest"))!.timestamp) + 365n * 86_400n;
    const register = (by: ethers.Signer, code: string, kind: EntityKind, wallet: string) =>
      registerEntity(registry.connect(by), { code, kind, jurisdiction: "CN", expiresAt, wallets: [wallet] });
    await register(b, "91110000100000000A", EntityKind.Bank, bankA);
    await register(a, "91110000100000000B", EntityKind.Bank, bankB);
    await register(a, "11100000000000000X", EntityKind.CentralBank, centralBank.address);
    await register(a, "91440300MA5XXXXXX1", EntityKind.Enterprise, enterpriseX.address);
    await register(a, "91440300MA5YYYYYY2", EntityKind.Enterprise, enterpriseY);
    for (const bank of [bankA, bankB]) await (await currency.connect(centralBank).mint(bank, 10_000_000_00n)).wait();

    today = await chainDay();
    maturityDay = today + 60;
    const { billId } = await issueBill(ledger.connect(enterpriseX), {
      billType: BillType.BankAcceptance,
      acceptor: bankA,
      payee: enterpriseY,
      face: FACE,
      maturityDay,
      tradeBackground: "purchase contract PC-2026-001",
    });
    expect(billId).to.equal(1n);
    await presentForAcceptance(ledger.connect(enterpriseX), 1n);
    await sign(ledger.connect(a), 1n, 1n);
    await presentForReceipt(ledger.connect(enterpriseX), 1n);
    await sign(ledger.connect(y), 1n, 1n);
  });

  after(function () {
    provider?.destroy();
    node?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The discount price of `units` today by the independent TypeScript formula. */
  const expectedProceeds = (units: bigint) =>
    discountProceeds(units, RATE, BigInt(rollForward(maturityDay, NO_MARKS) - today));

  it("quotes a discount from the engine's view, matching the TypeScript formula, and sends nothing", async function () {
    const blockBefore = await provider.getBlockNumber();
    const quote = JSON.parse(
      ok("dvp", "quote", "--bill", "1", "--units", String(DISCOUNTED), "--rate", "2.5%", "--json"),
    ) as Record<string, string>;
    const days = rollForward(maturityDay, NO_MARKS) - today;
    const proceeds = expectedProceeds(DISCOUNTED);
    expect(quote).to.include({
      kind: "discount",
      billId: "1",
      units: String(DISCOUNTED),
      rate: "2.5000%",
      days: String(days),
      proceeds: String(proceeds),
      interest: String(DISCOUNTED - proceeds),
    });
    expect(quote.rolledMaturityDate).to.equal(
      new Date(rollForward(maturityDay, NO_MARKS) * 86_400_000).toISOString().slice(0, 10),
    );
    expect(await provider.getBlockNumber()).to.equal(blockBefore);
  });

  it("the enterprise proposes a discount (its range escrowed) and the bank accepts it: bill and money swap", async function () {
    const proposal = JSON.parse(
      ok(
        "dvp",
        "propose",
        "--from",
        "5",
        "--kind",
        "discount",
        "--taker",
        bankA,
        "--bill",
        "1",
        "--start",
        "1",
        "--units",
        String(DISCOUNTED),
        "--rate",
        "2.5%",
        "--json",
      ),
    );
    discountId = proposal.tradeId;
    expect(discountId).to.match(/^0x[0-9a-f]{64}$/);
    expect(proposal).to.include({ kind: "Discount", status: "Proposed", maker: enterpriseY, taker: bankA });
    expect(proposal.takerGives).to.include({ type: "token", amount: String(expectedProceeds(DISCOUNTED)) });
    const escrowed = await ledger.rangeAt(1n, 1n);
    expect(escrowed.holder).to.equal(enterpriseY);
    expect(escrowed.end).to.equal(DISCOUNTED);
    expect(escrowed.state).to.equal(10n); // Escrowed

    const accepted = ok("dvp", "accept", "--from", "2", "--id", discountId);
    expect(accepted).to.match(new RegExp(`^accepted trade ${discountId}: now Settled \\(tx 0x[0-9a-f]{64}\\)$`));
    const bought = await ledger.rangeAt(1n, 1n);
    expect(bought.holder).to.equal(bankA);
    expect(bought.state).to.equal(3n); // Circulating
    expect(await currency.balanceOf(enterpriseY)).to.equal(expectedProceeds(DISCOUNTED));
  });

  it("an order signed by the enterprise into a file, countersigned by bank B and settled by the agent", async function () {
    const file = path.join(tmp, "order.json");
    const start = String(DISCOUNTED + 1n);
    const signed = ok(
      "dvp",
      "sign",
      "--from",
      "5",
      "--kind",
      "discount",
      "--taker",
      bankB,
      "--bill",
      "1",
      "--start",
      start,
      "--units",
      String(SIGNED_UNITS),
      "--rate",
      "2.5%",
      "--out",
      file,
    );
    expect(signed.split("\n")[0]).to.match(
      /^signed trade 0x[0-9a-f]{64} as maker into .* \(maker signed: yes, taker signed: no\)$/,
    );
    const order = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(order.makerSignature).to.match(/^0x[0-9a-f]{130}$/);
    expect(order.takerSignature).to.equal("0x");
    expect(order.terms.takerLeg.amount).to.equal(String(expectedProceeds(SIGNED_UNITS)));

    // Bank B is no party of the bill yet: it reads the bill of the maker's leg before it signs (a read: no --from).
    const offered = JSON.parse(ok("dvp", "offered", "--order", file, "--json"));
    expect(offered).to.include({ billId: "1", acceptor: bankA, payee: enterpriseY, face: String(FACE) });

    const countersigned = JSON.parse(ok("dvp", "sign", "--from", "3", "--order", file, "--json"));
    expect(countersigned).to.include({ signedAs: "taker", makerSigned: true, takerSigned: true });
    signedId = countersigned.tradeId;
    expect(JSON.parse(fs.readFileSync(file, "utf8")).takerSignature).to.match(/^0x[0-9a-f]{130}$/);

    const bankBBefore = await currency.balanceOf(bankB);
    expect(ok("dvp", "settle", "--from", "0", "--order", file)).to.match(
      new RegExp(`^settled trade ${signedId}: now Settled \\(tx 0x[0-9a-f]{64}\\)$`),
    );
    const range = await ledger.rangeAt(1n, BigInt(start));
    expect(range.holder).to.equal(bankB);
    expect(range.end).to.equal(DISCOUNTED + SIGNED_UNITS);
    expect(bankBBefore - (await currency.balanceOf(bankB))).to.equal(expectedProceeds(SIGNED_UNITS));
  });

  it("refuses a second acceptance and a replayed order in one decoded line, with exit code 1", function () {
    const again = refused("dvp", "accept", "--from", "2", "--id", discountId);
    expect(again.code).to.equal(1);
    expect(again.stderr.split("\n")).to.have.length(1);
    expect(again.stderr).to.equal(
      `error: TradeWrongStatus(tradeId=${discountId}, status=Settled, expected=Proposed): ` +
        "the trade is not in the status this act needs",
    );

    const replay = refused("dvp", "settle", "--from", "0", "--order", path.join(tmp, "order.json"), "--json");
    expect(replay.code).to.equal(1);
    const { error } = JSON.parse(replay.stdout) as { error: string };
    expect(error).to.match(
      new RegExp(`^TradeNonceUsed\\(signer=${enterpriseY}, nonce=\\d+\\): the nonce is spent, cancelled or below`),
    );
  });

  it("shows a trade as a table and lists trades as JSON, filtered by account", function () {
    // Reads need no --from: account #0 is no party of the trade.
    const shown = ok("dvp", "show", "--id", discountId);
    expect(shown).to.match(/^field\s+value$/m);
    expect(shown).to.match(/^status\s+Settled$/m);
    expect(shown).to.match(/^maker gives\s+bill 1 units 1\.\.50000000 \(face CNY 500,000\.00\)$/m);
    expect(shown).to.match(/^\d+\s+TradeProposed\s+/m);
    expect(shown).to.match(/^\d+\s+TradeSettled\s+/m);

    const all = JSON.parse(ok("dvp", "list", "--json")) as Record<string, unknown>[];
    expect(all.map((t) => [t.tradeId, t.status, t.signed])).to.deep.equal([
      [discountId, "Settled", false],
      [signedId, "Settled", true],
    ]);
    const ofBankB = JSON.parse(ok("dvp", "list", "--account", bankB, "--json")) as Record<string, unknown>[];
    expect(ofBankB.map((t) => t.tradeId)).to.deep.equal([signedId]);
  });

  it("opens a pledge repo priced by the engine, the lender accepts, and the borrower closes it", async function () {
    let endDay = today + 1;
    while (!isBusinessDay(endDay, NO_MARKS)) endDay++;
    const endDate = new Date(endDay * 86_400_000).toISOString().slice(0, 10);
    const repoQuote = JSON.parse(
      ok("dvp", "quote", "--principal", "400000", "--rate", "2%", "--end-date", endDate, "--json"),
    ) as Record<string, string>;
    const repayment = repoRepayment(400_000_00n, 20_000n, BigInt(endDay - today));
    expect(repoQuote).to.include({ kind: "repo", repayment: String(repayment), days: String(endDay - today) });

    // Bank A (borrower) pledges 1,000,000 units of its range to bank B for CNY 400,000.
    const opened = JSON.parse(
      ok(
        "repo",
        "open",
        "--from",
        "2",
        "--taker",
        bankB,
        "--bill",
        "1",
        "--start",
        "1",
        "--units",
        "1000000",
        "--price",
        "400000",
        "--rate",
        "2%",
        "--end-date",
        endDate,
        "--json",
      ),
    );
    expect(opened).to.include({ kind: "PledgeRepo", status: "Proposed", closingAmount: String(repayment) });
    expect(ok("dvp", "accept", "--from", "3", "--id", opened.tradeId)).to.match(/: now RepoOpen /);
    expect((await ledger.rangeAt(1n, 1n)).state).to.equal(5n); // Pledged

    const lenderBefore = await currency.balanceOf(bankB);
    expect(ok("repo", "close", "--from", "2", "--id", opened.tradeId)).to.match(
      /^closed trade 0x[0-9a-f]{64}: now RepoClosed /,
    );
    const range = await ledger.rangeAt(1n, 1n);
    expect([range.holder, range.state]).to.deep.equal([bankA, 3n]);
    expect((await currency.balanceOf(bankB)) - lenderBefore).to.equal(repayment);
  });
});
