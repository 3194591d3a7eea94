/**
 * The `keys` and `regulator` tasks as people use them: a real `hardhat node`, an Ignition deployment from the CLI,
 * the cast and a circulating bill set up through the task library, then each step a separate `hardhat` process:
 * the regulator makes and publishes its view key, a party publishes its key from a key file, a trade is proposed
 * with sealed terms, the regulator's audit decrypts them, the regulator freezes and releases an account, and an
 * outsider's audit reads every record of the trade but cannot open its sealed terms.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "ethers";
import {
  BillLedger__factory,
  DigitalCurrency__factory,
  EncryptionKeys__factory,
  IdentityRegistry__factory,
  SettlementEngine__factory,
  type DigitalCurrency,
  type SettlementEngine,
} from "../../typechain-types";
import { BillType, cstDayOf, issueBill, presentForAcceptance, presentForReceipt, sign } from "../../tasks/lib/bills";
import { newKeyFile, PASSWORD_ENV } from "../../tasks/lib/confidential";
import { findTerms } from "../../tasks/lib/dvp";
import { newEncryptionKey } from "../../tasks/lib/envelope";
import { EntityKind, registerEntity } from "../../tasks/lib/identity";
import { startLocalNode, type LocalNode } from "./localNode";

const SEALED_TERMS = { invoice: "INV-2026-0099", note: "discount at 2.5%, agreed 2 March", contact: "Ms. Li" };
const UNITS = 40_000_000n;

let node: LocalNode;

/** Runs a task against this test's deployment and expects it to succeed. */
function ok(...args: string[]) {
  const result = node.task(...args);
  expect(result.code, `${args.join(" ")}: ${result.stderr}`).to.equal(0);
  return result.stdout;
}

describe("Regulator command line (e2e)", function () {
  this.timeout(180_000);
  let provider: ethers.JsonRpcProvider;
  let tmp: string;
  let savedPassword: string | undefined;
  let currency: DigitalCurrency;
  let engine: SettlementEngine;
  // Hardhat's default accounts: #1 central bank, #2 bank A and #3 bank B (KYC providers), #4 enterprise X,
  // #5 enterprise Y, #6 the regulator (ignition/parameters/local.json), #7 an outsider.
  let bankA: string, enterpriseY: string;
  let viewKeyFile: string, yKeyFile: string;
  let tradeId: string;

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "regulator-e2e-"));
    // The tasks read the key files' password from the environment they inherit.
    savedPassword = process.env[PASSWORD_ENV];
    process.env[PASSWORD_ENV] = "e2e key file password";
    // A port range apart from the other e2e files (8600, 8900), so all can run in one `hardhat test`.
    node = await startLocalNode(9100, "e2e-regulator");
    const addresses = node.addresses;
    provider = new ethers.JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const [centralBank, a, b, x, y, regulator] = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) => provider.getSigner(i)),
    );
    [bankA, enterpriseY] = [a.address, y.address];
    const registry = IdentityRegistry__factory.connect(addresses["IdentityRegistry#IdentityRegistry"], provider);
    currency = DigitalCurrency__factory.connect(addresses["DigitalCurrency#DigitalCurrency"], provider);
    engine = SettlementEngine__factory.connect(addresses["SettlementEngine#SettlementEngine"], provider);
    const ledger = BillLedger__factory.connect(addresses["BillLedger#BillLedger"], provider);
    const keys = EncryptionKeys__factory.connect(addresses["EncryptionKeys#EncryptionKeys"], provider);
    const expiresAt = BigInt((await provider.getBlock("latest"))!.timestamp) + 365n * 86_400n;
    const register = (by: ethers.Signer, code: string, kind: EntityKind, wallet: string) =>
      registerEntity(registry.connect(by), { code, kind, jurisdiction: "CN", expiresAt, wallets: [wallet] });
    await register(b, "91110000100000000A", EntityKind.Bank, bankA);
    await register(a, "11100000000000000X", EntityKind.CentralBank, centralBank.address);
    await register(a, "91440300MA5XXXXXX1", EntityKind.Enterprise, x.address);
    await register(a, "91440300MA5YYYYYY2", EntityKind.Enterprise, enterpriseY);
    await register(a, "11100000000000001R", EntityKind.Regulator, regulator.address);
    await (await currency.connect(centralBank).mint(bankA, 10_000_000_00n)).wait();
    await (await currency.connect(a).approve(await engine.getAddress(), ethers.MaxUint256)).wait();

    const { billId } = await issueBill(ledger.connect(x), {
      billType: BillType.BankAcceptance,
      acceptor: bankA,
      payee: enterpriseY,
      face: 120_000_000n,
      maturityDay: cstDayOf((await provider.getBlock("latest"))!.timestamp) + 60,
      tradeBackground: "purchase contract PC-2026-001",
    });
    await presentForAcceptance(ledger.connect(x), billId);
    await sign(ledger.connect(a), billId, 1n);
    await presentForReceipt(ledger.connect(x), billId);
    await sign(ledger.connect(y), billId, 1n);

    // Bank A's key is published through the library; enterprise Y's key file is made here and published by a task.
    await (await keys.connect(a).setEntityKey(newEncryptionKey().publicKey)).wait();
    viewKeyFile = path.join(tmp, "view-key.json");
    yKeyFile = path.join(tmp, "enterprise-y.json");
    await newKeyFile(yKeyFile);
  });

  after(function () {
    provider?.destroy();
    node?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (savedPassword === undefined) delete process.env[PASSWORD_ENV];
    else process.env[PASSWORD_ENV] = savedPassword;
  });

  it("makes the view key into a 0600 key file, publishes it, and a party publishes its key from a key file", function () {
    const made = ok("keys", "new", "--out", viewKeyFile).split("\n");
    expect(made[0]).to.equal(
      `wrote a new key to ${viewKeyFile} (mode 0600, encrypted with the password in ${PASSWORD_ENV})`,
    );
    const publicKey = /^public key (0x0[23][0-9a-f]{64})$/.exec(made[1])![1];
    expect(fs.statSync(viewKeyFile).mode & 0o777).to.equal(0o600);

    const rotated = JSON.parse(ok("regulator", "rotate-key", "--from", "6", "--key-file", viewKeyFile, "--json"));
    expect(rotated).to.include({ publicKey, version: 1 });

    expect(ok("keys", "publish", "--from", "5", "--key-file", yKeyFile)).to.match(
      /^published envelope key 0x0[23][0-9a-f]{64} for entity 0x[0-9a-f]{64}: version 1 \(tx 0x[0-9a-f]{64}\)$/,
    );
  });

  it("proposes a trade with sealed terms; the regulator's audit decrypts them and checks the commitment", async function () {
    const termsFile = path.join(tmp, "terms.json");
    fs.writeFileSync(termsFile, JSON.stringify(SEALED_TERMS));
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
        String(UNITS),
        "--rate",
        "2.5%",
        "--confidential",
        termsFile,
        "--json",
      ),
    );
    tradeId = proposal.tradeId;
    const commitment = proposal.terms.confidential as string;
    expect(commitment)
      .to.match(/^0x[0-9a-f]{64}$/)
      .and.not.equal(ethers.ZeroHash);
    expect(proposal.envelopeTx).to.match(/^0x[0-9a-f]{64}$/);
    const bankASigner = await provider.getSigner(2);
    await (await engine.connect(bankASigner).accept(await findTerms(engine, tradeId))).wait();

    const report = JSON.parse(ok("regulator", "audit", "--key-file", viewKeyFile, "--json"));
    expect(report.viewKeys).to.deep.equal({ current: 1, versions: [1], unmatchedPublicKeys: [] });
    expect(report.trades.map((t: { tradeId: string; status: string }) => [t.tradeId, t.status])).to.deep.equal([
      [tradeId, "Settled"],
    ]);
    const sealed = report.envelopes.filter((e: { source: string }) => e.source === "trade");
    expect(sealed).to.have.length(1);
    expect(sealed[0]).to.deep.include({
      ref: tradeId,
      commitment,
      status: "verified",
      keyVersion: 1,
      poster: enterpriseY,
      terms: SEALED_TERMS,
    });
    expect(report.flags).to.deep.equal([]);
    const proceeds = proposal.takerGives.amount as string;
    const volumeOf = (wallet: string) =>
      report.volumes.find((v: { wallets: string[] }) => v.wallets.includes(wallet)) as Record<string, unknown>;
    expect(volumeOf(enterpriseY)).to.include({ trades: 1, received: proceeds, paid: "0" });
    expect(volumeOf(bankA)).to.include({ trades: 1, paid: proceeds, received: "0" });
  });

  it("freezes and unfreezes an account by the regulator's order", async function () {
    expect(ok("regulator", "freeze", "--from", "6", "--account", enterpriseY)).to.match(
      new RegExp(`^froze account ${enterpriseY} \\(tx 0x[0-9a-f]{64}\\)$`),
    );
    expect(await currency.isAccountFrozen(enterpriseY)).to.equal(true);
    const released = JSON.parse(ok("regulator", "unfreeze", "--from", "6", "--account", enterpriseY, "--json"));
    expect(released.what).to.equal(`unfroze account ${enterpriseY}`);
    expect(await currency.isAccountFrozen(enterpriseY)).to.equal(false);
  });

  it("an outsider's audit reads the trade and its parties, but without the view key the sealed terms stay shut", function () {
    // The unverified wallet #7 reads every record; only the envelope keeps the terms from it.
    const report = JSON.parse(ok("regulator", "audit", "--from", "7", "--no-keys", "--json"));
    const trade = report.trades.find((t: { tradeId: string }) => t.tradeId === tradeId);
    expect(trade).to.include({ status: "Settled", maker: enterpriseY, taker: bankA });
    const sealed = report.envelopes.filter((e: { source: string }) => e.source === "trade");
    expect(sealed).to.have.length(1);
    expect(sealed[0]).to.include({ ref: tradeId, status: "not opened" });
    expect(sealed[0]).to.not.have.property("terms");
  });
});
