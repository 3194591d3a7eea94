/**
 * The kill test (`npm run test:faults`, several minutes; not in `npm test`): the platform's Ignition deploy is
 * killed with SIGKILL at each kind of point where a real interruption leaves the deployment broken, on a real
 * `hardhat node` of its own, and then `platform check` is run and obeyed — its repair, then each command it prints,
 * in order — and the deployment must end whole: every future done, every contract and call sent exactly once (as
 * many transactions on the chain as the module has on-chain futures), each address in deployed_addresses.json the
 * address of a contract created on the chain, with code, and a second check that finds nothing to do.
 *
 * Most kills are placed exactly (test/faults/killAt.js, preloaded into the deploy process, kills it right before
 * or after a chosen journal message, or while the address file is rewritten); a few come from outside, after the
 * journal reaches a number of lines, wherever the deploy then is. Where the reviewer reran the deploy
 * without the check, the test does that first and sees what the reviewer saw (a contract silently missing from
 * the address file, a JSON error, IGN1, IGN411), then repairs with the check.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { CheckReport } from "../../tasks/lib/deploymentCheck";
import { HARDHAT, ROOT, startNode, type CliResult, type NodeProcess } from "../e2e/localNode";

const RUN = process.env.BILL_DVP_FAULTS === "1";
const KILL_HOOK = path.join(__dirname, "killAt.js");
const MODULE = "ignition/modules/Platform.ts";

interface Scenario {
  name: string;
  /** A killAt.js point, or the number of journal lines after which the deploy is killed from outside. */
  kill: string | number;
  /** What a plain rerun of the deploy does before any check: the reviewer's symptom. */
  rerunFirst?: RegExp | "silently loses the contract";
  /** The check's first report: what it repairs, and the kind of each command it prints (wipe, track-tx, deploy). */
  repaired?: RegExp;
  commands?: ("wipe" | "track-tx" | "deploy" | "deploy --reset")[];
  /** Restart the node after the kill: the chain is gone, the files stay. */
  restartNode?: boolean;
}

const LEDGER = "BillLedger#BillLedger";
const AGENT = "SettlementEngine#grantEngineAgent";
const SCENARIOS: Scenario[] = [
  {
    name: "after the first contract finished, before the address file existed",
    kill: "after:DEPLOYMENT_EXECUTION_STATE_COMPLETE:BusinessCalendar#BusinessCalendar",
    repaired: /^deployed_addresses.json is missing: rebuilt from the journal \(1 contracts/,
    commands: ["deploy"],
  },
  {
    name: "after a contract finished, before its address was written (a plain rerun loses it for good)",
    kill: `after:DEPLOYMENT_EXECUTION_STATE_COMPLETE:${LEDGER}`,
    rerunFirst: "silently loses the contract",
    repaired: /^deployed_addresses.json lacked BillLedger#BillLedger: rebuilt from the journal \(9 contracts/,
    commands: [],
  },
  {
    name: "after the last contract finished, before its address was written",
    kill: "after:DEPLOYMENT_EXECUTION_STATE_COMPLETE:SettlementEngine#SettlementEngine",
    repaired: /^deployed_addresses.json lacked SettlementEngine#SettlementEngine: rebuilt/,
    commands: ["deploy"],
  },
  {
    name: "while the address file was rewritten (left empty: a plain rerun stops on JSON)",
    kill: `addresses:${LEDGER}`,
    rerunFirst: /Unexpected end of JSON input/,
    repaired: /^deployed_addresses.json is empty: rebuilt from the journal/,
    commands: ["deploy"],
  },
  {
    name: "just after a contract's future started (a plain rerun stops on IGN1)",
    kill: `after:DEPLOYMENT_EXECUTION_STATE_INITIALIZE:${LEDGER}`,
    rerunFirst: /IGN1: .*Unable to find network interaction for BillLedger#BillLedger/,
    commands: ["wipe", "deploy"],
  },
  {
    name: "just after a call's future started",
    kill: `after:CALL_EXECUTION_STATE_INITIALIZE:${AGENT}`,
    rerunFirst: /IGN1: .*Unable to find network interaction/,
    commands: ["wipe", "deploy"],
  },
  {
    name: "after the transaction was requested, before a nonce was taken",
    kill: `after:NETWORK_INTERACTION_REQUEST:${LEDGER}`,
    commands: ["deploy"],
  },
  {
    name: "after a nonce was taken, before the transaction was sent (a plain rerun stops on IGN411)",
    kill: `after:TRANSACTION_PREPARE_SEND:${LEDGER}`,
    rerunFirst: /IGN411: An error occurred while trying to send a transaction for future BillLedger#BillLedger/,
    commands: ["wipe", "deploy"],
  },
  {
    name: "after a contract's transaction was sent, before its hash was journaled (IGN411)",
    kill: `before:TRANSACTION_SEND:${LEDGER}`,
    rerunFirst: /IGN411/,
    commands: ["track-tx", "deploy"],
  },
  {
    name: "after a call's transaction was sent, before its hash was journaled",
    kill: `before:TRANSACTION_SEND:${AGENT}`,
    commands: ["track-tx", "deploy"],
  },
  {
    name: "after the transaction's hash was journaled",
    kill: `after:TRANSACTION_SEND:${LEDGER}`,
    commands: ["deploy"],
  },
  {
    name: "after the receipt was journaled, before the contract was marked done",
    kill: `after:TRANSACTION_CONFIRM:${LEDGER}`,
    commands: ["deploy"],
  },
  {
    name: "after a call was done",
    kill: "after:CALL_EXECUTION_STATE_COMPLETE:BillPayments#BillLedger~BillLedger.grantRole",
    commands: ["deploy"],
  },
  {
    name: "after a transaction was sent, and then the node restarted (the chain is gone)",
    kill: `before:TRANSACTION_SEND:${LEDGER}`,
    restartNode: true,
    commands: ["deploy --reset"],
  },
  ...[3, 12, 27, 46, 64, 83, 101].map((lines) => ({
    name: `from outside, once the journal has ${lines} lines (wherever the deploy then is)`,
    kill: lines,
  })),
];

/** How many contracts and on-chain calls the module has: a whole deployment has exactly that many transactions. */
function onchainFuturesOf(file: string): { deployments: number; transactions: number } {
  interface ModuleLike {
    futures: Set<{ id: string; type: string }>;
    submodules: Set<ModuleLike>;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const root = (require(file) as { default: ModuleLike }).default;
  const futures = new Map<string, string>();
  const visit = (m: ModuleLike) => {
    m.futures.forEach((f) => futures.set(f.id, f.type));
    m.submodules.forEach(visit);
  };
  visit(root);
  const types = [...futures.values()];
  const deployments = types.filter((t) => t.endsWith("_DEPLOYMENT")).length;
  return {
    deployments,
    transactions: deployments + types.filter((t) => t === "CONTRACT_CALL" || t === "SEND_DATA").length,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (!RUN) {
  describe("Interrupted deploys (kill test)", function () {
    it.skip("runs with npm run test:faults (several minutes, a hardhat node of its own)");
  });
} else {
  describe("Interrupted deploys (kill test)", function () {
    this.timeout(300_000);
    let node: NodeProcess;
    const ids: string[] = [];
    const expected = onchainFuturesOf(path.join(ROOT, MODULE));

    const dirOf = (id: string) => path.join(ROOT, "ignition", "deployments", id);
    const deployArgs = (id: string) => [
      "--network",
      "localhost",
      "ignition",
      "deploy",
      MODULE,
      "--parameters",
      "ignition/parameters/local.json",
      "--deployment-id",
      id,
    ];
    const check = async (id: string): Promise<{ run: CliResult; report: CheckReport }> => {
      const run = await node.hardhatAsync([
        "--network",
        "localhost",
        "platform",
        "check",
        "--deployment-id",
        id,
        "--json",
      ]);
      return { run, report: JSON.parse(run.stdout) as CheckReport };
    };
    const nonceOf = async (account: string) => Number(await node.rpc("eth_getTransactionCount", [account, "latest"]));
    const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    /** Kills the deploy at `kill`: a killAt.js point, or once the journal has that many lines. */
    async function killedDeploy(id: string, kill: string | number): Promise<void> {
      if (typeof kill === "string") {
        const run = await node.hardhatAsync(deployArgs(id), {
          BILL_DVP_FAULT_KILL: kill,
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${KILL_HOOK}`,
        });
        expect(run.signal, `the deploy was not killed at ${kill}: ${run.stderr}`).to.equal("SIGKILL");
        return;
      }
      const child = spawn(HARDHAT, deployArgs(id), { cwd: ROOT, env: node.env, stdio: "ignore" });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const journal = path.join(dirOf(id), "journal.jsonl");
      while (child.exitCode === null && child.signalCode === null) {
        const lines = fs.existsSync(journal) ? fs.readFileSync(journal, "utf8").split("\n").filter(Boolean).length : 0;
        if (lines >= kill) {
          child.kill("SIGKILL");
          break;
        }
        await sleep(5);
      }
      await exited;
    }

    /** Runs a command the check printed ("npx hardhat …", one line) as a process against the node. */
    const runPrinted = async (command: string) => {
      expect(command).to.match(/^npx hardhat /);
      const result = await node.hardhatAsync(command.replace(/^npx hardhat /, "").split(" "));
      expect(result.code, `${command}\n${result.stderr}`).to.equal(0);
    };

    /** The deployment is whole and agrees with the chain; nothing was sent twice. */
    async function expectWhole(id: string) {
      const head = Number(await node.rpc("eth_blockNumber"));
      const created: string[] = [];
      let transactions = 0;
      for (let b = 1; b <= head; b++) {
        const block = (await node.rpc("eth_getBlockByNumber", [`0x${b.toString(16)}`, true])) as {
          transactions: { hash: string; to: string | null }[];
        };
        for (const tx of block.transactions) {
          transactions++;
          const receipt = (await node.rpc("eth_getTransactionReceipt", [tx.hash])) as {
            status: string;
            contractAddress: string | null;
          };
          expect(receipt.status, `transaction ${tx.hash} reverted`).to.equal("0x1");
          if (tx.to === null) created.push(receipt.contractAddress!.toLowerCase());
        }
      }
      expect(created, "contracts created on the chain").to.have.length(expected.deployments);
      expect(transactions, "transactions on the chain").to.equal(expected.transactions);
      const addresses = JSON.parse(fs.readFileSync(path.join(dirOf(id), "deployed_addresses.json"), "utf8")) as Record<
        string,
        string
      >;
      expect(Object.keys(addresses)).to.have.length(expected.deployments);
      expect(Object.values(addresses).map((a) => a.toLowerCase())).to.have.members(created);
      for (const address of Object.values(addresses))
        expect(await node.rpc("eth_getCode", [address, "latest"])).to.not.equal("0x");
      const again = await check(id);
      expect(again.run.code, again.run.stdout).to.equal(0);
      expect(again.report).to.include({ complete: true });
      expect(again.report.repaired).to.deep.equal([]);
    }

    before(async function () {
      node = await startNode(9100);
    });

    after(function () {
      node?.stop();
      for (const id of ids) fs.rmSync(dirOf(id), { recursive: true, force: true });
    });

    SCENARIOS.forEach((scenario, n) => {
      it(`is repaired or explained when killed ${scenario.name}`, async function () {
        const id = `faults-${node.port}-${n}`;
        ids.push(id);
        fs.rmSync(dirOf(id), { recursive: true, force: true });
        await node.rpc("hardhat_reset");
        await killedDeploy(id, scenario.kill);
        if (scenario.restartNode) await node.restart();

        if (scenario.rerunFirst !== undefined) {
          const sent = await nonceOf(DEPLOYER);
          const rerun = await node.hardhatAsync(deployArgs(id));
          if (scenario.rerunFirst === "silently loses the contract") {
            expect(rerun.code, rerun.stderr).to.equal(0);
            const file = JSON.parse(fs.readFileSync(path.join(dirOf(id), "deployed_addresses.json"), "utf8"));
            expect(file).to.not.have.property(LEDGER);
          } else {
            expect(rerun.code).to.equal(1);
            expect(rerun.stderr + rerun.stdout).to.match(scenario.rerunFirst);
            // IGN1 and IGN411 stop before anything is sent; the JSON error comes after the next contract.
            if (!/JSON/.test(scenario.rerunFirst.source)) expect(await nonceOf(DEPLOYER)).to.equal(sent);
          }
        }

        const first = await check(id);
        const kinds = first.report.problems
          .filter((p) => p.command !== undefined)
          .map((p) => {
            const command = p.command!;
            if (command.startsWith("npx hardhat ignition wipe ")) return "wipe";
            if (command.startsWith("npx hardhat ignition track-tx ")) return "track-tx";
            if (command.startsWith("npx hardhat ignition deploy "))
              return command.endsWith(" --reset") ? "deploy --reset" : "deploy";
            return command;
          });
        if (scenario.commands !== undefined) expect(kinds, first.run.stdout).to.deep.equal(scenario.commands);
        if (scenario.repaired !== undefined) {
          expect(first.report.repaired).to.have.length(1);
          expect(first.report.repaired[0]).to.match(scenario.repaired);
        }
        expect(first.run.code).to.equal(first.report.complete ? 0 : 1);
        // The printed commands, in order, each one line; the last reruns the deploy (unless nothing is left).
        for (const p of first.report.problems) if (p.command !== undefined) await runPrinted(p.command);
        await expectWhole(id);
      });
    });
  });
}
