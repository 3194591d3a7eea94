/**
 * Wrong inputs on the command line, as a table: each row runs one task as a separate process against one
 * `hardhat node` and one deployment shared by the table, and must print exactly its one-line error on stderr, exit 1
 * and leave the chain as it was (the same block number, the acting wallet's nonce unchanged). The rows run a few at
 * a time; none of them may send anything, so they cannot disturb each other.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "ethers";
import {
  BillLedger__factory,
  EncryptionKeys__factory,
  IdentityRegistry__factory,
  SettlementEngine__factory,
} from "../../typechain-types";
import { BillType, cstDayOf, isoFromDay, issueBill } from "../../tasks/lib/bills";
import { billLeg, orderToJson, signTerms, tokenLeg, TradeKind, type SignedOrder } from "../../tasks/lib/dvp";
import { EntityKind, registerEntity } from "../../tasks/lib/identity";
import { startLocalNode, type CliResult, type LocalNode } from "./localNode";

// Hardhat's default accounts: #1 central bank, #2 bank A and #3 bank B (KYC providers), #4 enterprise X,
// #5 enterprise Y, #8 not registered.
const ENTERPRISE_X = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const NEWCOMER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";
const BANK_A = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const ENTERPRISE_Y = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const FACE = 120_000_000n;

interface Row {
  name: string;
  /** The hardhat arguments; "@id" is replaced by the deployment id, "@dir" by the scratch folder. */
  argv: string[];
  /** The acting account's index, whose nonce must not move (default #0). */
  from?: number;
  env?: NodeJS.ProcessEnv;
  /** The whole of stderr, without "error: ", or a pattern for it. */
  error: string | RegExp;
}

describe("Command line: wrong inputs are refused in one line, nothing sent (e2e)", function () {
  this.timeout(240_000);
  let node: LocalNode;
  let dir: string;
  let issueDate: string;
  let xKey: string;
  let xEntity: string;
  const results = new Map<string, { result: CliResult; before: string[]; after: string[] }>();

  const local = (...args: string[]) => ["--network", "localhost", ...args, "--deployment-id", "@id"];

  const rows = (): Row[] => [
    {
      name: "an expiry date that does not exist",
      argv: local(
        "kyc",
        "register",
        "--from",
        "2",
        "--code",
        "91440300MA5ABCDEFW",
        "--kind",
        "Enterprise",
        "--wallets",
        NEWCOMER,
        "--expires",
        "2027-02-30",
      ),
      from: 2,
      error: '"2027-02-30": 2027-02-30 is not a date on the calendar',
    },
    {
      name: "a credit code failing its check character",
      argv: local("kyc", "renew", "--from", "2", "--code", "91440300MA5XXXXXX1", "--expires", "2028-06-30"),
      from: 2,
      error:
        '--code "91440300MA5XXXXXX1" is not a unified social credit code: its check character is 1, the first 17 characters give R (GB 32100)',
    },
    {
      name: "a credit code with a letter outside its alphabet",
      argv: local("kyc", "suspend", "--from", "2", "--code", "91440300MA5XXXXXXI"),
      from: 2,
      error:
        '--code "91440300MA5XXXXXXI" is not a unified social credit code: "I" is not in its alphabet (digits and capitals except I, O, S, V, Z)',
    },
    {
      name: "a zero amount of money",
      argv: local("cash", "mint", "--from", "1", "--to", ENTERPRISE_X, "--amount", "0.00"),
      from: 1,
      error: '--amount must be greater than zero, not "0.00"',
    },
    {
      name: "a zero face",
      argv: local(
        "bill",
        "issue",
        "--from",
        "4",
        "--type",
        "bank",
        "--acceptor",
        BANK_A,
        "--payee",
        ENTERPRISE_Y,
        "--face",
        "0",
        "--maturity",
        "2027-01-29",
        "--background",
        "PC-1",
      ),
      from: 4,
      error: '--face must be greater than zero, not "0"',
    },
    {
      name: "zero units",
      argv: local("dvp", "quote", "--bill", "1", "--units", "0", "--rate", "2.5%"),
      error: '--units must be a whole number greater than zero, not "0"',
    },
    {
      name: "a quote for more units than the bill holds",
      argv: local("dvp", "quote", "--bill", "1", "--units", "120000001", "--rate", "2.5%"),
      error: "--units 120000001 is more than bill 1 holds (120000000 units, its face)",
    },
    {
      name: "a quote for more units than the range holds",
      argv: local("dvp", "quote", "--bill", "1", "--start", "1", "--units", "120000001", "--rate", "2.5%"),
      error: "--units 120000001 is more than the range of bill 1 from unit 1 holds (120000000 units)",
    },
    {
      name: "a value date before the bill's issue date",
      argv: local(
        "dvp",
        "propose",
        "--from",
        "4",
        "--kind",
        "sale",
        "--taker",
        BANK_A,
        "--bill",
        "1",
        "--start",
        "1",
        "--units",
        "1000",
        "--price",
        "9.90",
        "--value-date",
        "2020-01-02",
      ),
      from: 4,
      error: "--value-date 2020-01-02 is before bill 1's issue date @issued",
    },
    {
      name: "an encryption key another entity registered",
      argv: local("keys", "publish", "--from", "2", "--public-key", "@xkey"),
      from: 2,
      error:
        "the key @xkey is already registered to entity @xentity (its key version 1): make a key of your own with npx hardhat keys new",
    },
    {
      name: "the regulator's view key set to an entity's key",
      argv: local("regulator", "rotate-key", "--from", "6", "--public-key", "@xkey"),
      from: 6,
      error:
        "the key @xkey is already registered to entity @xentity (its key version 1): make a key of your own with npx hardhat keys new",
    },
    {
      name: "a malformed address",
      argv: local(
        "cash",
        "transfer",
        "--from",
        "4",
        "--to",
        "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A6",
        "--amount",
        "1",
      ),
      from: 4,
      error: '--to "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A6" is not an address (0x and 40 hex digits)',
    },
    {
      name: "an address with a wrong checksum",
      argv: local("cash", "balance", "--account", "0x15d34aaf54267db7d7c367839aaf71a00a2C6A65"),
      error:
        '--account "0x15d34aaf54267db7d7c367839aaf71a00a2C6A65" fails its checksum (a mistyped character, or mixed case changed): check it, or give it in lower case',
    },
    {
      name: "an order file cut short",
      argv: local("dvp", "settle", "--order", "@dir/truncated.json"),
      error:
        /^@dir\/truncated\.json is not a whole JSON order \(cut short, or not an order file\?\): Unterminated string in JSON at position \d+$/,
    },
    {
      name: "an order file lacking a field",
      argv: local("dvp", "settle", "--from", "2", "--order", "@dir/lacking.json"),
      from: 2,
      error: "@dir/lacking.json lacks the field terms.nonce",
    },
    {
      name: "a tampered order",
      argv: local("dvp", "sign", "--from", "2", "--order", "@dir/tampered.json", "--out", "@dir/out.json"),
      from: 2,
      error:
        /^@dir\/tampered\.json: the maker's signature does not match the order's terms and maker 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 \(it recovers to 0x[0-9a-fA-F]{40}\): the terms were changed after signing, or another wallet signed$/,
    },
    {
      name: "--network hardhat against the node's deployment",
      argv: [
        "--network",
        "hardhat",
        "cash",
        "mint",
        "--from",
        "1",
        "--to",
        ENTERPRISE_X,
        "--amount",
        "5",
        "--deployment-id",
        "@id",
      ],
      from: 1,
      error:
        "the deployment in ignition/deployments/@id is not on the in-process Hardhat network, which starts empty on every run: add --network localhost (or the network it was deployed to)",
    },
    {
      name: "an unknown task option",
      argv: local("cash", "mint", "--from", "1", "--to", ENTERPRISE_X, "--amount", "5", "--memo", "x"),
      from: 1,
      error: "Unrecognized param --memo (HH305): npx hardhat help cash mint lists the task's options",
    },
    {
      name: "an unknown network",
      argv: ["--network", "mainnet", "cash", "balance", "--account", ENTERPRISE_X],
      error:
        "Network mainnet doesn't exist (HH100): use --network localhost for a local node, or a network defined in hardhat.config.ts",
    },
    {
      name: "a node that does not answer",
      argv: local("cash", "balance", "--account", ENTERPRISE_X),
      env: { BILL_DVP_LOCALHOST_URL: "http://127.0.0.1:9" },
      error:
        "cannot reach the node of --network localhost at http://127.0.0.1:9: start one (npx hardhat node) or set BILL_DVP_LOCALHOST_URL to its URL",
    },
  ];

  before(async function () {
    node = await startLocalNode(9500, "e2e-inputs");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bill-dvp-inputs-"));
    const provider = new ethers.JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const a = node.addresses;
      const [bankA, bankB, x, y] = await Promise.all([2, 3, 4, 5].map((i) => provider.getSigner(i)));
      const registry = IdentityRegistry__factory.connect(a["IdentityRegistry#IdentityRegistry"], provider);
      const expiresAt = BigInt((await provider.getBlock("latest"))!.timestamp) + 365n * 86_400n;
      const register = (by: ethers.Signer, code: string, kind: EntityKind, wallet: string) =>
        registerEntity(registry.connect(by), { code, kind, jurisdiction: "CN", expiresAt, wallets: [wallet] });
      await register(bankB, "91110000100000000R", EntityKind.Bank, bankA.address);
      await register(bankA, "91440300MA5XXXXXXR", EntityKind.Enterprise, x.address);
      await register(bankA, "91440300MA5YYYYYY5", EntityKind.Enterprise, y.address);
      xEntity = (await registry.identityOf(x.address)).entityId;

      // Enterprise X's envelope key: bank A may not publish it as its own.
      xKey = ethers.SigningKey.computePublicKey(ethers.Wallet.createRandom().publicKey, true);
      const keys = EncryptionKeys__factory.connect(a["EncryptionKeys#EncryptionKeys"], provider);
      await (await keys.connect(x).setEntityKey(xKey)).wait();

      const ledger = BillLedger__factory.connect(a["BillLedger#BillLedger"], provider);
      const today = cstDayOf((await provider.getBlock("latest"))!.timestamp);
      issueDate = isoFromDay(today);
      await issueBill(ledger.connect(x), {
        billType: BillType.BankAcceptance,
        acceptor: bankA.address,
        payee: y.address,
        face: FACE,
        maturityDay: today + 60,
        tradeBackground: "PC-2026-001",
      });

      // A signed order, and three broken copies of it: cut short, a field missing, the price changed after signing.
      const engine = SettlementEngine__factory.connect(a["SettlementEngine#SettlementEngine"], provider);
      const terms = {
        kind: TradeKind.OutrightSale,
        maker: x.address,
        taker: bankA.address,
        makerLeg: billLeg(await ledger.getAddress(), 1n, 1n, 1_000_000n),
        takerLeg: tokenLeg(a["DigitalCurrency#DigitalCurrency"], 990_000n),
        rate: 0n,
        valueDay: BigInt(today),
        endDay: 0n,
        closingAmount: 0n,
        deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
        nonce: 7n,
        confidential: ethers.ZeroHash,
      };
      const order: SignedOrder = { terms, makerSignature: await signTerms(engine, x, terms), takerSignature: "0x" };
      const text = orderToJson(order);
      fs.writeFileSync(path.join(dir, "truncated.json"), text.slice(0, text.length / 2));
      const lacking = JSON.parse(text) as { terms: Record<string, unknown> };
      delete lacking.terms.nonce;
      fs.writeFileSync(path.join(dir, "lacking.json"), JSON.stringify(lacking));
      fs.writeFileSync(
        path.join(dir, "tampered.json"),
        orderToJson({ ...order, terms: { ...terms, takerLeg: { ...terms.takerLeg, amount: 1n } } }),
      );
    } finally {
      provider.destroy();
    }

    // Every row, four processes at a time, each between two reads of the chain.
    const table = rows();
    const state = async (from: number) => [
      String(await node.rpc("eth_blockNumber")),
      String(
        await node.rpc("eth_getTransactionCount", [((await node.rpc("eth_accounts")) as string[])[from], "pending"]),
      ),
    ];
    const queue = [...table];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let row = queue.shift(); row !== undefined; row = queue.shift()) {
          const argv = row.argv.map(fill);
          const before = await state(row.from ?? 0);
          const result = await node.hardhatAsync(argv, row.env);
          results.set(row.name, { result, before, after: await state(row.from ?? 0) });
        }
      }),
    );
  });

  after(function () {
    node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // Placeholders in a row's arguments and error: the deployment id, the scratch folder, X's key and entity, the
  // bill's issue date.
  const fill = (text: string) =>
    text
      .replace("@id", node.deploymentId)
      .replace("@dir", dir)
      .replace("@xkey", xKey)
      .replace("@xentity", xEntity)
      .replace("@issued", issueDate);

  for (const row of rows()) {
    it(`refuses ${row.name}`, function () {
      const { result, before, after } = results.get(row.name)!;
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stdout).to.equal("");
      expect(result.stderr.split("\n"), result.stderr).to.have.length(1);
      const line = result.stderr.replace(/^error: /, "");
      expect(result.stderr).to.match(/^error: /);
      if (typeof row.error === "string") expect(line).to.equal(fill(row.error));
      else expect(line).to.match(new RegExp(fill(row.error.source)));
      expect(after, "block number and the acting wallet's nonce").to.deep.equal(before);
    });
  }
});
