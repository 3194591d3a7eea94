/**
 * The deployment check's logic (`tasks/lib/deploymentCheck.ts`) on hand-made Ignition journals and a hand-made
 * chain: what it repairs, what it refuses to repair, and the one command it names for each interrupted future.
 * The same cases on a real node, with deploys really killed, are in test/faults/ (`npm run test:faults`).
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkDeployment, readJournal, type ChainView, type CheckOptions } from "../../../tasks/lib/deploymentCheck";

const DEPLOYER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const blockHash = (n: number) => `0x${n.toString(16).padStart(64, "b")}`;
const txHash = (n: number) => `0x${n.toString(16).padStart(64, "7")}`;
const addressOf = (n: number) => `0x${(n + 1).toString(16).padStart(40, "a")}`;
const dataOf = (id: string) => `0x${Buffer.from(id).toString("hex")}`;

type Stage = "init" | "request" | "prepare" | "send" | "confirm" | "complete";
const STAGES: Stage[] = ["init", "request", "prepare", "send", "confirm", "complete"];

/** A contract deployment (`kind: "deployment"`) or a call future with `nonce`, journaled up to `stage`. */
function future(id: string, nonce: number, stage: Stage, kind: "deployment" | "call" = "deployment"): object[] {
  const upTo = STAGES.indexOf(stage);
  const deployment = kind === "deployment";
  const messages: object[] = [
    {
      type: deployment ? "DEPLOYMENT_EXECUTION_STATE_INITIALIZE" : "CALL_EXECUTION_STATE_INITIALIZE",
      futureId: id,
      from: DEPLOYER,
      value: 0n,
      dependencies: [],
    },
    {
      type: "NETWORK_INTERACTION_REQUEST",
      futureId: id,
      networkInteraction: {
        id: 1,
        type: "ONCHAIN_INTERACTION",
        data: dataOf(id),
        value: 0n,
        ...(deployment ? {} : { to: addressOf(0) }),
      },
    },
    { type: "TRANSACTION_PREPARE_SEND", futureId: id, networkInteractionId: 1, nonce },
    {
      type: "TRANSACTION_SEND",
      futureId: id,
      networkInteractionId: 1,
      nonce,
      transaction: { hash: txHash(nonce), fees: { gasPrice: 1n } },
    },
    {
      type: "TRANSACTION_CONFIRM",
      futureId: id,
      networkInteractionId: 1,
      hash: txHash(nonce),
      receipt: { blockHash: blockHash(nonce + 1), blockNumber: nonce + 1, status: "SUCCESS", logs: [] },
    },
    {
      type: deployment ? "DEPLOYMENT_EXECUTION_STATE_COMPLETE" : "CALL_EXECUTION_STATE_COMPLETE",
      futureId: id,
      result: deployment ? { type: "SUCCESS", address: addressOf(nonce) } : { type: "SUCCESS" },
    },
  ];
  return messages.slice(0, upTo + 1);
}

/** Ignition's journal text: each message on a line of its own, after a newline; bigints as { _kind, value }. */
function journalText(messages: object[]): string {
  const replacer = (_key: string, v: unknown) => (typeof v === "bigint" ? { _kind: "bigint", value: v.toString() } : v);
  return messages.map((m) => `\n${JSON.stringify(m, replacer)}`).join("");
}

interface MinedTx {
  nonce: number;
  block: number;
  to: string | null;
  data: string;
  hash?: string;
}

/** A chain of one deployer: its mined transactions (one a block), code at addresses, transactions in the pool. */
function chainWith(mined: MinedTx[], code: string[], pending = 0, chainId = 31337): ChainView {
  return {
    chainId: async () => chainId,
    code: async (address) => (code.some((a) => a.toLowerCase() === address.toLowerCase()) ? "0x60" : "0x"),
    nonce: async (_address, block) => {
      if (block === "latest") return mined.length;
      if (block === "pending") return mined.length + pending;
      return mined.filter((t) => t.block <= block).length;
    },
    blockNumber: async () => Math.max(0, ...mined.map((t) => t.block)),
    blockHash: async (n) => (n <= Math.max(0, ...mined.map((t) => t.block)) ? blockHash(n) : undefined),
    blockTransactions: async (block) =>
      mined
        .filter((t) => t.block === block)
        .map((t) => ({
          hash: t.hash ?? txHash(t.nonce),
          from: DEPLOYER,
          nonce: t.nonce,
          to: t.to,
          data: t.data,
          value: 0n,
        })),
    transactionStatus: async (hash) =>
      mined.some((t) => (t.hash ?? txHash(t.nonce)) === hash) ? "mined" : pending > 0 ? "pending" : "unknown",
  };
}

/** The deployer's transactions of the futures `ids` (deployments unless named in `calls`), nonce i in block i+1. */
const minedFor = (ids: string[], calls: string[] = []): MinedTx[] =>
  ids.map((id, nonce) => ({ nonce, block: nonce + 1, to: calls.includes(id) ? addressOf(0) : null, data: dataOf(id) }));

const A = "Platform#A";
const B = "Platform#B";
const C = "Platform#C";
const CALL = "Platform#A.setup";
const EXPECTED = [A, B, C, CALL];
const DEPLOY = "npx hardhat ignition deploy ignition/modules/Platform.ts --network localhost --deployment-id unit";
const CHECK = "npx hardhat platform check --network localhost --deployment-id unit";

describe("Deployment check (platform check)", function () {
  let dir: string;
  const journalFile = () => path.join(dir, "journal.jsonl");
  const addressFile = () => path.join(dir, "deployed_addresses.json");
  const addresses = () => JSON.parse(fs.readFileSync(addressFile(), "utf8")) as Record<string, string>;
  const write = (messages: object[], addressEntries?: Record<string, string> | string) => {
    fs.writeFileSync(journalFile(), journalText([{ type: "DEPLOYMENT_INITIALIZE", chainId: 31337 }, ...messages]));
    if (addressEntries !== undefined) {
      const text = typeof addressEntries === "string" ? addressEntries : JSON.stringify(addressEntries, undefined, 2);
      fs.writeFileSync(addressFile(), text);
    }
  };
  const options = (over: Partial<CheckOptions> = {}): CheckOptions => ({
    dir,
    deploymentId: "unit",
    network: "localhost",
    deployCommand: DEPLOY,
    checkCommand: CHECK,
    expectedFutures: EXPECTED,
    repair: true,
    ...over,
  });
  const commands = (report: { problems: { command?: string }[] }) => report.problems.map((p) => p.command);

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bill-dvp-check-"));
  });

  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("when the deployment is whole", function () {
    it("reports it complete and writes nothing", async function () {
      write(
        [
          ...future(A, 0, "complete"),
          ...future(B, 1, "complete"),
          ...future(C, 2, "complete"),
          ...future(CALL, 3, "complete", "call"),
        ],
        {
          [A]: addressOf(0),
          [B]: addressOf(1),
          [C]: addressOf(2),
        },
      );
      const before = fs.readFileSync(addressFile(), "utf8");
      const report = await checkDeployment(
        chainWith(minedFor([A, B, C, CALL], [CALL]), [addressOf(0), addressOf(1), addressOf(2)]),
        options(),
      );
      expect(report).to.include({ complete: true, chainId: 31337 });
      expect(report.repaired).to.deep.equal([]);
      expect(report.problems).to.deep.equal([]);
      expect(report.futures).to.deep.equal({ expected: 4, done: 4, inJournal: 4 });
      expect(fs.readFileSync(addressFile(), "utf8")).to.equal(before);
    });
  });

  describe("the address file", function () {
    it("is rebuilt when a finished contract is missing from it, and the rest of the deploy is rerun", async function () {
      write([...future(A, 0, "complete"), ...future(B, 1, "complete")], { [A]: addressOf(0) });
      const report = await checkDeployment(chainWith(minedFor([A, B]), [addressOf(0), addressOf(1)]), options());
      expect(addresses()).to.deep.equal({ [A]: addressOf(0), [B]: addressOf(1) });
      expect(report.repaired).to.have.length(1);
      expect(report.repaired[0]).to.match(/lacked Platform#B: rebuilt from the journal \(2 contracts/);
      expect(commands(report)).to.deep.equal([DEPLOY]);
      expect(report.problems[0].problem).to.match(/^2 of 4 futures are not done: rerun the deploy$/);
      expect(report.complete).to.equal(false);
    });

    it("is rebuilt when it is empty, missing, or names a contract the journal does not record", async function () {
      const chain = chainWith(minedFor([A]), [addressOf(0)]);
      for (const [content, wrong] of [
        ["", /is empty/],
        [undefined, /is missing/],
        ['{"Platform#A": ', /is not valid JSON/],
        [{ [A]: addressOf(0), [B]: addressOf(5) }, /listed Platform#B, which the journal does not record as deployed/],
        [{ [A]: addressOf(7) }, /had another address for Platform#A/],
      ] as const) {
        fs.rmSync(addressFile(), { force: true });
        write(future(A, 0, "complete"), content as Record<string, string> | string | undefined);
        const report = await checkDeployment(chain, options());
        expect(report.repaired[0]).to.match(wrong);
        expect(addresses()).to.deep.equal({ [A]: addressOf(0) });
      }
    });

    it("is left as it is with --dry-run, which says what it would rebuild", async function () {
      write(future(A, 0, "complete"), "");
      const report = await checkDeployment(chainWith(minedFor([A]), [addressOf(0)]), options({ repair: false }));
      expect(report.dryRun).to.equal(true);
      expect(report.repaired[0]).to.match(/is empty: would be rebuilt from the journal/);
      expect(fs.readFileSync(addressFile(), "utf8")).to.equal("");
    });

    it("is not rebuilt when a recorded contract has no code: the node restarted, deploy again with --reset", async function () {
      write([...future(A, 0, "complete"), ...future(B, 1, "complete")], { [A]: addressOf(0) });
      const gone = await checkDeployment(chainWith([], []), options());
      expect(gone.problems).to.have.length(1);
      expect(gone.problems[0].problem).to.match(
        /^none of the 2 contracts the journal records has code on --network localhost/,
      );
      expect(gone.problems[0].command).to.equal(`${DEPLOY} --reset`);
      expect(gone.repaired).to.deep.equal([]);
      expect(addresses()).to.deep.equal({ [A]: addressOf(0) });

      const half = await checkDeployment(chainWith(minedFor([A, B]), [addressOf(0)]), options());
      expect(half.problems[0].problem).to.match(/^Platform#B has no code at the recorded address/);
      expect(addresses()).to.deep.equal({ [A]: addressOf(0) });
    });

    it("is not rebuilt when the journal's blocks are not on the chain (a restarted node deployed to again)", async function () {
      write(future(A, 0, "complete"), "");
      const chain = chainWith(minedFor([A]), [addressOf(0)]);
      const report = await checkDeployment({ ...chain, blockHash: async () => blockHash(99) }, options());
      expect(report.problems[0].problem).to.match(/^1 of the 1 blocks the journal recorded receipts in are not on/);
      expect(report.problems[0].command).to.equal(`${DEPLOY} --reset`);
      expect(fs.readFileSync(addressFile(), "utf8")).to.equal("");
    });
  });

  describe("a future interrupted", function () {
    const done = () => [...future(A, 0, "complete"), ...future(B, 1, "complete")];
    const chainOfDone = (extra: MinedTx[] = [], pending = 0) =>
      chainWith([...minedFor([A, B]), ...extra], [addressOf(0), addressOf(1)], pending);
    const addressesOfDone = { [A]: addressOf(0), [B]: addressOf(1) };

    it("after it started and before it prepared a transaction is wiped (a rerun stops on IGN1)", async function () {
      write([...done(), ...future(C, 2, "init")], addressesOfDone);
      const report = await checkDeployment(chainOfDone(), options());
      expect(report.problems[0]).to.include({ futureId: C, command: "npx hardhat ignition wipe unit Platform#C" });
      expect(report.problems[0].problem).to.match(/IGN1 'Unable to find network interaction'/);
      expect(commands(report)).to.deep.equal(["npx hardhat ignition wipe unit Platform#C", DEPLOY]);
      expect(report.problems[1].problem).to.match(/after the commands above, rerun the deploy$/);
    });

    it("after it reserved a nonce, its transaction never sent, is wiped (a rerun stops on IGN411)", async function () {
      write([...done(), ...future(C, 2, "prepare")], addressesOfDone);
      const report = await checkDeployment(chainOfDone(), options());
      expect(report.problems[0].problem).to.match(
        /^nonce 2 of 0xf39f.* was reserved but no transaction with it reached the chain/,
      );
      expect(commands(report)).to.deep.equal(["npx hardhat ignition wipe unit Platform#C", DEPLOY]);
    });

    it("after its transaction was mined, before the journal had its hash, is recorded with track-tx", async function () {
      write([...done(), ...future(C, 2, "prepare")], addressesOfDone);
      // Blocks 4 and 5 are empty: the bisection still finds block 3.
      const chain = chainOfDone([{ nonce: 2, block: 3, to: null, data: dataOf(C) }]);
      const report = await checkDeployment({ ...chain, blockNumber: async () => 5 }, options());
      expect(report.problems[0].problem).to.match(
        /^its transaction \(nonce 2 of 0xf39f.*\) was mined but the journal lacks its hash/,
      );
      expect(commands(report)).to.deep.equal([
        `npx hardhat ignition track-tx ${txHash(2)} unit --network localhost`,
        DEPLOY,
      ]);
    });

    it("whose nonce another transaction used is recorded with track-tx, which makes Ignition send it again", async function () {
      write([...done(), ...future(CALL, 2, "prepare", "call")], addressesOfDone);
      const other = { nonce: 2, block: 3, to: addressOf(9), data: "0x", hash: txHash(99) };
      const report = await checkDeployment(chainOfDone([other]), options());
      expect(report.problems[0].problem).to.match(/was used by another transaction/);
      expect(report.problems[0].command).to.equal(
        `npx hardhat ignition track-tx ${txHash(99)} unit --network localhost`,
      );
    });

    it("on a node that cannot answer for past blocks is left to a block explorer, then track-tx", async function () {
      write([...done(), ...future(C, 2, "prepare")], addressesOfDone);
      const chain = chainOfDone([{ nonce: 2, block: 3, to: null, data: dataOf(C) }]);
      const pruned: ChainView = {
        ...chain,
        nonce: async (address, block) => {
          if (typeof block === "number") throw new Error("missing trie node");
          return chain.nonce(address, block);
        },
      };
      const report = await checkDeployment(pruned, options());
      expect(report.problems[0].problem).to.match(/cannot say which block holds it: find its hash in a block explorer/);
      expect(commands(report)).to.deep.equal([
        "npx hardhat ignition track-tx <txHash> unit --network localhost",
        DEPLOY,
      ]);
    });

    it("whose transaction waits in the node's pool is left until it is mined: check again", async function () {
      write([...done(), ...future(C, 2, "prepare")], addressesOfDone);
      const report = await checkDeployment(chainOfDone([], 1), options());
      expect(report.problems).to.have.length(1);
      expect(report.problems[0].problem).to.match(/is pending in the node's pool: once it is mined, check again$/);
      expect(report.problems[0].command).to.equal(CHECK);
    });

    it("whose journaled transaction waits in the node's pool is left until it is mined: check again", async function () {
      write([...done(), ...future(C, 2, "send")], addressesOfDone);
      const report = await checkDeployment(chainOfDone([], 1), options());
      expect(report.problems).to.have.length(1);
      expect(report.problems[0].problem).to.match(/^its transaction 0x7+2 is pending in the node's pool/);
      expect(commands(report)).to.deep.equal([CHECK]);
    });

    it("not started while another transaction of the deployer waits in the pool: check again once it is mined", async function () {
      write(done(), addressesOfDone);
      const report = await checkDeployment(chainOfDone([], 1), options());
      expect(report.problems).to.have.length(1);
      expect(report.problems[0].problem).to.match(/^1 transaction\(s\) of 0xf39f.* are pending in the node's pool/);
      expect(commands(report)).to.deep.equal([CHECK]);
    });

    it("after its transaction was sent, or confirmed, needs only a rerun", async function () {
      for (const stage of ["request", "send", "confirm"] as const) {
        write([...done(), ...future(C, 2, stage)], addressesOfDone);
        const report = await checkDeployment(
          chainOfDone([{ nonce: 2, block: 3, to: null, data: dataOf(C) }]),
          options(),
        );
        expect(commands(report), stage).to.deep.equal([DEPLOY]);
      }
    });

    it("that failed is wiped once its cause is fixed", async function () {
      write(
        [
          ...done(),
          ...future(CALL, 2, "confirm", "call"),
          {
            type: "CALL_EXECUTION_STATE_COMPLETE",
            futureId: CALL,
            result: { type: "REVERTED_TRANSACTION", txHash: txHash(2) },
          },
        ],
        addressesOfDone,
      );
      const report = await checkDeployment(
        chainOfDone([{ nonce: 2, block: 3, to: addressOf(0), data: dataOf(CALL) }]),
        options(),
      );
      expect(report.problems[0].problem).to.match(/^failed \(REVERTED_TRANSACTION: transaction 0x7+2\); fix the cause/);
      expect(commands(report)).to.deep.equal(["npx hardhat ignition wipe unit Platform#A.setup", DEPLOY]);
    });

    it("that was wiped counts as not started", async function () {
      write([...done(), ...future(C, 2, "init"), { type: "WIPE_APPLY", futureId: C }], addressesOfDone);
      const report = await checkDeployment(chainOfDone(), options());
      expect(report.futures.inJournal).to.equal(2);
      expect(commands(report)).to.deep.equal([DEPLOY]);
    });
  });

  describe("the journal", function () {
    it("loses a torn last line (kept beside it), and the check goes on", async function () {
      write(future(A, 0, "complete"), { [A]: addressOf(0) });
      fs.appendFileSync(journalFile(), '\n{"futureId":"Platform#B","type":"DEPLOYMENT_EXEC');
      const report = await checkDeployment(chainWith(minedFor([A]), [addressOf(0)]), options());
      expect(report.repaired[0]).to.match(/^journal.jsonl: dropped its torn last line/);
      expect(fs.readFileSync(`${journalFile()}.torn`, "utf8")).to.contain("DEPLOYMENT_EXEC");
      expect(readJournal(fs.readFileSync(journalFile(), "utf8")).tornTail).to.equal(undefined);
      expect(commands(report)).to.deep.equal([DEPLOY]);
    });

    it("keeps its torn last line when the chain does not match it (nothing is written then)", async function () {
      write(future(A, 0, "complete"), { [A]: addressOf(0) });
      fs.appendFileSync(journalFile(), '\n{"futureId":"Platform#B","type":"DEPLOYMENT_EXEC');
      const before = fs.readFileSync(journalFile(), "utf8");
      const report = await checkDeployment(chainWith([], []), options());
      expect(report.repaired).to.deep.equal([]);
      expect(fs.readFileSync(journalFile(), "utf8")).to.equal(before);
      expect(fs.existsSync(`${journalFile()}.torn`)).to.equal(false);
    });

    it("damaged before its last line is not continued: deploy under a new id", async function () {
      write(future(A, 0, "complete"));
      const lines = fs.readFileSync(journalFile(), "utf8").split("\n");
      lines[2] = "{not json";
      fs.writeFileSync(journalFile(), lines.join("\n"));
      const report = await checkDeployment(chainWith(minedFor([A]), [addressOf(0)]), options());
      expect(report.problems[0].problem).to.match(/^journal.jsonl line 2 is not JSON/);
      expect(report.problems[0].command).to.equal(
        "npx hardhat ignition deploy ignition/modules/Platform.ts --network localhost --deployment-id unit-2",
      );
    });

    it("of another chain is refused: pick the network it was deployed to", async function () {
      write(future(A, 0, "complete"), { [A]: addressOf(0) });
      const report = await checkDeployment(chainWith(minedFor([A]), [addressOf(0)], 0, 1337), options());
      expect(report.problems).to.have.length(1);
      expect(report.problems[0].problem).to.match(/was made on chain 31337, but --network localhost is chain 1337/);
    });

    it("that does not exist means nothing was deployed: deploy", async function () {
      const report = await checkDeployment(chainWith([], []), options({ dir: path.join(dir, "none") }));
      expect(report.problems[0].problem).to.match(/^nothing was deployed under unit \(no folder\)/);
      expect(commands(report)).to.deep.equal([DEPLOY]);
    });
  });
});
