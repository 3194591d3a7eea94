/**
 * The command line as a person uses it: a real `hardhat node`, an Ignition deployment from the CLI, and the
 * `kyc` / `cash` tasks run as separate processes. Checks output, JSON and the one-line refusal with exit code 1.
 * Then the node restarts under the deployment: a wait on a transaction the restart lost ends at its timeout, and
 * every command refuses in one line instead of "succeeding" against addresses without code.
 */
import { expect } from "chai";
import { startLocalNode, type CliResult, type LocalNode } from "./localNode";

// Hardhat's default accounts: #1 central bank, #2 bank A and #3 bank B (KYC providers), #4 enterprise X,
// #7 unverified.
const CENTRAL_BANK = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ENTERPRISE_X = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const STRANGER = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";
const BANK_A = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("Command line (e2e)", function () {
  this.timeout(240_000);
  let node: LocalNode;
  const task = (...args: string[]) => node.task(...args);

  before(async function () {
    node = await startLocalNode(8600, "e2e");
  });

  after(function () {
    node?.stop();
  });

  it("registers identities, mints, shows a balance as JSON and refuses an unverified payee in one line, sending nothing", async function () {
    const register = (code: string, kind: string, wallet: string) =>
      task("kyc", "register", "--from", "2", "--code", code, "--kind", kind, "--wallets", wallet);
    const centralBank = register("11100000000000000J", "CentralBank", CENTRAL_BANK);
    expect(centralBank.code, centralBank.stderr).to.equal(0);
    expect(centralBank.stdout).to.match(/^registered: entity 0x[0-9a-f]{64}/);
    expect(register("91440300MA5XXXXXXR", "Enterprise", ENTERPRISE_X).code).to.equal(0);

    // A read needs no --from: any wallet reads any record (here account #0, no party of X's).
    const shown = JSON.parse(task("kyc", "show", "--who", ENTERPRISE_X, "--json").stdout);
    expect(shown).to.include({ kind: "Enterprise", status: "Active", verified: true });

    expect(task("cash", "mint", "--from", "1", "--to", ENTERPRISE_X, "--amount", "1000.50").code).to.equal(0);
    const balance = JSON.parse(task("cash", "balance", "--account", ENTERPRISE_X, "--json").stdout);
    expect(balance).to.include({ balance: "100050", available: "100050", accountFrozen: false });

    // The act is checked before it is sent: the refusal spends no nonce and mines no block.
    const chainState = async () => [
      await node.rpc("eth_blockNumber"),
      await node.rpc("eth_getTransactionCount", [ENTERPRISE_X, "latest"]),
    ];
    const before = await chainState();
    const refused = task("cash", "transfer", "--from", "4", "--to", STRANGER, "--amount", "10");
    expect(await chainState(), "block number and X's nonce").to.deep.equal(before);
    expect(refused.code).to.equal(1);
    expect(refused.stderr.split("\n")).to.have.length(1);
    expect(refused.stderr).to.equal(
      `error: CurrencyUnverifiedAccount(account=${STRANGER}): ` +
        "the account is not verified in the identity registry (unknown, expired, suspended or revoked)",
    );

    const badAmount = task("cash", "mint", "--from", "1", "--to", ENTERPRISE_X, "--amount", "1.234");
    expect(badAmount.code).to.equal(1);
    expect(badAmount.stderr).to.match(/^error: "1.234" is not an amount in CNY with at most two decimals/);
  });

  it("issues a bill, shows it as JSON and refuses a payee of the wrong kind in one line", function () {
    // Bank B (#3) verifies bank A (#2) so that it can accept; X (#4) was verified in the test above.
    expect(
      task("kyc", "register", "--from", "3", "--code", "91110000100000000R", "--kind", "Bank", "--wallets", BANK_A)
        .code,
    ).to.equal(0);
    const maturity = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    const issue = (payee: string) =>
      task(
        "bill",
        "issue",
        "--from",
        "4",
        "--type",
        "bank",
        "--acceptor",
        BANK_A,
        "--payee",
        payee,
        "--face",
        "1200000.00",
        "--maturity",
        maturity,
        "--background",
        "PC-2026-001",
      );
    const issued = issue(ENTERPRISE_X);
    expect(issued.code, issued.stderr).to.equal(0);
    expect(issued.stdout).to.match(/^issued bill 1 \(tx 0x[0-9a-f]{64}\)$/);

    const shown = JSON.parse(task("bill", "show", "--bill", "1", "--json").stdout);
    expect(shown).to.include({ billType: "BankAcceptance", face: "120000000", maturityDate: maturity });
    expect(shown.ranges).to.have.length(1);
    expect(shown.ranges[0]).to.include({ start: "1", end: "120000000", holder: ENTERPRISE_X, state: "Issued" });

    const refused = issue(BANK_A);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.equal(
      `error: BillWrongPartyKind(account=${BANK_A}, expected=Enterprise): the party is not of the kind this role needs`,
    );
  });

  describe("when the node restarts under the deployment (an empty chain, the same chain id)", function () {
    const mintArgs = ["cash", "mint", "--from", "1", "--to", ENTERPRISE_X, "--amount", "5"];
    let lostMint: Promise<CliResult>;
    let act: Promise<CliResult>;
    let inProcess: Promise<CliResult>;

    before(async function () {
      // A mint waits in the node's pool (automine off) when the node goes down: the restart loses it.
      await node.rpc("evm_setAutomine", [false]);
      let settled = false;
      const id = ["--deployment-id", node.deploymentId];
      lostMint = node.hardhatAsync(["--network", "localhost", ...mintArgs, ...id], { BILL_DVP_TX_TIMEOUT: "8" });
      void lostMint.then(() => (settled = true));
      while (!settled && ((await node.rpc("eth_pendingTransactions")) as unknown[]).length === 0) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await node.restart();
      // While the mint still waits: an act, and an act without --network (the in-process network, chain id 31337
      // like the node, finds the same deployment files). Reads load the platform through the same check.
      act = node.hardhatAsync(["--network", "localhost", ...mintArgs, ...id]);
      inProcess = node.hardhatAsync([...mintArgs, ...id]);
    });

    it("a wait on a transaction the restart lost ends at its timeout in one line, never a success", async function () {
      const mint = await lostMint;
      expect(mint.stdout).to.equal("");
      expect(mint.code).to.equal(1);
      expect(mint.stderr.split("\n")).to.have.length(1);
      expect(mint.stderr).to.match(
        /^error: transaction 0x[0-9a-f]{64} was sent but not mined within 8 s \(not confirmed: .*\): check that the node of --network localhost is running and mining \(after a restart the deployment is gone too: npx hardhat platform check --network localhost\); BILL_DVP_TX_TIMEOUT=<seconds> waits longer$/,
      );
    });

    it("acts, on the node or on the in-process network, refuse in one line naming the fix; nothing is sent", async function () {
      const gone =
        `error: none of the platform's contracts in ignition/deployments/${node.deploymentId} has code on ` +
        "--network localhost (chain 31337): the node was restarted or reset since the deploy, or this is another " +
        "chain — pick the network with --network, or deploy again: npx hardhat ignition deploy " +
        "ignition/modules/Platform.ts --network localhost --parameters ignition/parameters/local.json " +
        `--deployment-id ${node.deploymentId} --reset`;
      const refused = await act;
      expect(refused.code).to.equal(1);
      expect(refused.stdout).to.equal("");
      expect(refused.stderr).to.equal(gone);
      const local = await inProcess;
      expect(local.code).to.equal(1);
      expect(local.stderr).to.equal(
        `error: the deployment in ignition/deployments/${node.deploymentId} is not on the in-process Hardhat ` +
          "network, which starts empty on every run: add --network localhost (or the network it was deployed to)",
      );
      expect(await node.rpc("eth_blockNumber")).to.equal("0x0");
      expect(await node.rpc("eth_getTransactionCount", [CENTRAL_BANK, "pending"])).to.equal("0x0");
    });
  });
});
