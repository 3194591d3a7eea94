/**
 * The deployment check (`platform check`): compares an Ignition deployment's files (`journal.jsonl`,
 * `deployed_addresses.json`) with each other and with the chain, repairs what is safe and names the command for
 * the rest.
 *
 * What an interrupted `ignition deploy` leaves behind (Ignition 0.15; each case reproduced by test/faults/):
 * - killed after a contract's completion reached the journal, before its address reached the address file: the
 *   file silently lacks that contract, on every rerun too (Ignition writes an address only when it completes it);
 * - killed while the address file was being rewritten: the file is empty and every rerun stops on its JSON;
 * - killed after a future started, before it prepared a transaction: a rerun stops on "IGN1 … Unable to find
 *   network interaction" (`ignition wipe` clears the future's state);
 * - killed after a nonce was reserved, before the transaction's hash reached the journal: a rerun stops on IGN411.
 *   If the transaction reached the chain, `ignition track-tx` records it; if it did not, `ignition wipe`;
 * - killed at any other point: a rerun continues by itself.
 *
 * Repaired here: the address file, rebuilt from the journal, with exactly the contracts whose deployment the
 * journal records as successful and whose code is on the chain (when every one of them has code); and a torn last
 * journal line (a message whose write never completed, so nothing after it happened). Everything else is
 * explained, with the command that fixes it.
 */
import fs from "node:fs";
import path from "node:path";

/** Ignition's journal message types this check reads (`JournalMessageType` in @nomicfoundation/ignition-core). */
const STARTS: Record<string, FutureKind> = {
  DEPLOYMENT_EXECUTION_STATE_INITIALIZE: "deployment",
  CALL_EXECUTION_STATE_INITIALIZE: "call",
  STATIC_CALL_EXECUTION_STATE_INITIALIZE: "staticCall",
  SEND_DATA_EXECUTION_STATE_INITIALIZE: "sendData",
  CONTRACT_AT_EXECUTION_STATE_INITIALIZE: "contractAt",
  READ_EVENT_ARGUMENT_EXECUTION_STATE_INITIALIZE: "readEventArgument",
  ENCODE_FUNCTION_CALL_EXECUTION_STATE_INITIALIZE: "encodeFunctionCall",
};
const COMPLETES = new Set([
  "DEPLOYMENT_EXECUTION_STATE_COMPLETE",
  "CALL_EXECUTION_STATE_COMPLETE",
  "STATIC_CALL_EXECUTION_STATE_COMPLETE",
  "SEND_DATA_EXECUTION_STATE_COMPLETE",
]);
/** Futures that are done as soon as they start: nothing is sent for them. */
const DONE_AT_START = new Set<FutureKind>(["contractAt", "readEventArgument", "encodeFunctionCall"]);

export type FutureKind =
  "deployment" | "call" | "staticCall" | "sendData" | "contractAt" | "readEventArgument" | "encodeFunctionCall";

export interface JournalTransaction {
  hash: string;
  /** The block of its receipt (number and hash), when the journal recorded one. */
  receiptBlock?: number;
  receiptBlockHash?: string;
}

export interface Interaction {
  id: number;
  onchain: boolean;
  to?: string;
  data: string;
  value: bigint;
  nonce?: number;
  transactions: JournalTransaction[];
}

export interface FutureState {
  id: string;
  kind: FutureKind;
  from?: string;
  status: "started" | "success" | "failed" | "held" | "timeout";
  /** Why it failed or is held, as the journal says. */
  reason?: string;
  /** A deployed (or contract-at) future's address. */
  address?: string;
  interactions: Interaction[];
}

export interface Journal {
  chainId?: number;
  /** Futures in the order they started. */
  futures: FutureState[];
  /** The last line, when it is not JSON: its write never completed. */
  tornTail?: string;
  /** A line other than the last that is not JSON: the journal is damaged. */
  damagedLine?: number;
}

type Message = Record<string, unknown>;

/** Journal values: bigints are written as { _kind: "bigint", value } (and by older versions as "123n"). */
function revive(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && (value as Message)._kind === "bigint") {
    return BigInt((value as { value: string }).value);
  }
  if (typeof value === "string" && /^\d+n$/.test(value)) return BigInt(value.slice(0, -1));
  return value;
}

function resultOf(message: Message): { type: string; reason?: string; address?: string } {
  const result = (message.result ?? {}) as Message;
  const type = String(result.type ?? "UNKNOWN");
  const error = result.error;
  const detail =
    typeof error === "string"
      ? error
      : error && typeof error === "object"
        ? JSON.stringify(error, (_k, v) => (typeof v === "bigint" ? v.toString() : v))
        : typeof result.reason === "string"
          ? result.reason
          : typeof result.txHash === "string"
            ? `transaction ${result.txHash}`
            : undefined;
  return {
    type,
    reason: detail ? `${type}: ${detail}` : type,
    address: typeof result.address === "string" ? result.address : undefined,
  };
}

/** Folds the journal's messages into each future's state, as Ignition would on a rerun. */
export function readJournal(text: string): Journal {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const journal: Journal = { futures: [] };
  const byId = new Map<string, FutureState>();
  const interactionOf = (future: FutureState | undefined, id: unknown) =>
    future?.interactions.find((i) => i.id === Number(id));
  for (let n = 0; n < lines.length; n++) {
    let message: Message;
    try {
      message = JSON.parse(lines[n], revive) as Message;
    } catch {
      if (n === lines.length - 1) journal.tornTail = lines[n];
      else journal.damagedLine = n + 1;
      break;
    }
    const type = String(message.type);
    const futureId = String(message.futureId ?? "");
    const future = byId.get(futureId);
    if (type === "DEPLOYMENT_INITIALIZE") {
      journal.chainId = Number(message.chainId);
    } else if (type in STARTS) {
      const kind = STARTS[type];
      const state: FutureState = {
        id: futureId,
        kind,
        from: typeof message.from === "string" ? message.from.toLowerCase() : undefined,
        status: DONE_AT_START.has(kind) ? "success" : "started",
        address: kind === "contractAt" ? String(message.contractAddress) : undefined,
        interactions: [],
      };
      byId.set(futureId, state);
      journal.futures = journal.futures.filter((f) => f.id !== futureId).concat(state);
    } else if (type === "WIPE_APPLY") {
      byId.delete(futureId);
      journal.futures = journal.futures.filter((f) => f.id !== futureId);
    } else if (COMPLETES.has(type) && future) {
      const result = resultOf(message);
      future.status = result.type === "SUCCESS" ? "success" : result.type === "STRATEGY_HELD" ? "held" : "failed";
      if (future.status !== "success") future.reason = result.reason;
      if (future.kind === "deployment" && result.address) future.address = result.address;
    } else if (type === "NETWORK_INTERACTION_REQUEST" && future) {
      const request = (message.networkInteraction ?? {}) as Message;
      future.interactions.push({
        id: Number(request.id),
        onchain: request.type === "ONCHAIN_INTERACTION",
        to: typeof request.to === "string" ? request.to : undefined,
        data: String(request.data ?? "0x"),
        value: typeof request.value === "bigint" ? request.value : 0n,
        transactions: [],
      });
    } else if (type === "TRANSACTION_PREPARE_SEND" || type === "TRANSACTION_SEND") {
      const interaction = interactionOf(future, message.networkInteractionId);
      if (!interaction) continue;
      interaction.nonce ??= Number(message.nonce);
      const transaction = message.transaction as { hash?: string } | undefined;
      if (type === "TRANSACTION_SEND" && transaction?.hash) interaction.transactions.push({ hash: transaction.hash });
    } else if (type === "TRANSACTION_CONFIRM") {
      const interaction = interactionOf(future, message.networkInteractionId);
      if (!interaction) continue;
      const receipt = (message.receipt ?? {}) as { blockNumber?: number; blockHash?: string };
      // Ignition keeps only the confirmed transaction of an interaction.
      interaction.transactions = [
        { hash: String(message.hash), receiptBlock: Number(receipt.blockNumber), receiptBlockHash: receipt.blockHash },
      ];
    } else if (type === "ONCHAIN_INTERACTION_REPLACED_BY_USER") {
      const interaction = interactionOf(future, message.networkInteractionId);
      if (!interaction) continue;
      interaction.nonce = undefined;
      interaction.transactions = [];
    } else if (type === "ONCHAIN_INTERACTION_TIMEOUT" && future) {
      future.status = "timeout";
    }
    // RUN_START, STATIC_CALL_COMPLETE, fee bumps and dropped transactions change nothing this check looks at.
  }
  return journal;
}

/** A mined transaction, as the check needs it. */
export interface ChainTransaction {
  hash: string;
  from: string;
  nonce: number;
  to: string | null;
  data: string;
  value: bigint;
}

/** What the check reads from the chain (an ethers provider in the task; a hand-made chain in the unit test). */
export interface ChainView {
  chainId(): Promise<number>;
  code(address: string): Promise<string>;
  /** The account's transaction count after `block` ("latest": mined; "pending": with the node's pool). */
  nonce(address: string, block: number | "latest" | "pending"): Promise<number>;
  blockNumber(): Promise<number>;
  /** The hash of the chain's block `number`, if it has one. */
  blockHash(number: number): Promise<string | undefined>;
  blockTransactions(block: number): Promise<ChainTransaction[]>;
  /** Whether the node knows the transaction, and if it is mined. */
  transactionStatus(hash: string): Promise<"mined" | "pending" | "unknown">;
}

export interface CheckOptions {
  /** The deployment's folder, `ignition/deployments/<id>`. */
  dir: string;
  deploymentId: string;
  /** `--network <name>` as the printed commands give it. */
  network: string;
  /** The command that runs (or reruns) the deploy. */
  deployCommand: string;
  /** The command that runs this check again. */
  checkCommand: string;
  /** Every future of the module, when known: the ones the journal lacks are still to run. */
  expectedFutures?: string[];
  /** Write the repairs (false: only say what would be repaired). */
  repair: boolean;
}

/** Something the check could not repair: what is wrong, and the one command that fixes it (if there is one). */
export interface Problem {
  futureId?: string;
  problem: string;
  command?: string;
}

export interface CheckReport {
  deploymentId: string;
  dir: string;
  network: string;
  chainId?: number;
  futures: { expected?: number; done: number; inJournal: number };
  /** Each deployed contract of the journal: its address and whether it has code on the chain. */
  contracts: { futureId: string; address: string; code: boolean }[];
  /** What the check repaired (or, with `repair: false`, would repair). */
  repaired: string[];
  /** Nothing was written (`repair: false`). */
  dryRun: boolean;
  problems: Problem[];
  /** The deployment is whole and its files agree with the chain (after the repairs). */
  complete: boolean;
}

const same = (a?: string | null, b?: string | null) => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();

/**
 * The transaction of `from` with `nonce`, if it is mined: the first block after which the account's count passes
 * `nonce` is found by bisection from `lowestBlock` (the block of an earlier transaction of that account, if any).
 */
async function minedWithNonce(
  chain: ChainView,
  from: string,
  nonce: number,
  lowestBlock: number,
): Promise<ChainTransaction | undefined> {
  let low = lowestBlock;
  let high = await chain.blockNumber();
  if ((await chain.nonce(from, high)) <= nonce) return undefined;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if ((await chain.nonce(from, middle)) > nonce) high = middle;
    else low = middle + 1;
  }
  return (await chain.blockTransactions(high)).find((tx) => same(tx.from, from) && tx.nonce === nonce);
}

/** The address file as it is: its entries, or why it cannot be read. */
function readAddressFile(file: string): { entries?: Record<string, string>; unreadable?: string } {
  if (!fs.existsSync(file)) return { unreadable: "is missing" };
  const text = fs.readFileSync(file, "utf8");
  if (text.trim() === "") return { unreadable: "is empty" };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      return { unreadable: "is not an object" };
    return { entries: parsed as Record<string, string> };
  } catch {
    return { unreadable: "is not valid JSON" };
  }
}

/** Writes `content` to `file` through a temporary file and a rename, so that a kill never leaves it half written. */
function writeWhole(file: string, content: string) {
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, content);
  fs.renameSync(partial, file);
}

/** Checks the deployment in `options.dir` against `chain`; repairs what is safe when `options.repair`. */
export async function checkDeployment(chain: ChainView, options: CheckOptions): Promise<CheckReport> {
  const { dir, deploymentId } = options;
  const report: CheckReport = {
    deploymentId,
    dir,
    network: options.network,
    futures: { expected: options.expectedFutures?.length, done: 0, inJournal: 0 },
    contracts: [],
    repaired: [],
    dryRun: !options.repair,
    problems: [],
    complete: false,
  };
  const problem = (p: Problem) => report.problems.push(p);
  report.chainId = await chain.chainId();
  const journalFile = path.join(dir, "journal.jsonl");
  const addressFile = path.join(dir, "deployed_addresses.json");

  if (!fs.existsSync(journalFile) || fs.readFileSync(journalFile, "utf8").trim() === "") {
    problem({
      problem: `nothing was deployed under ${deploymentId} (${fs.existsSync(dir) ? "no journal" : "no folder"}): deploy`,
      command: options.deployCommand,
    });
    return report;
  }

  const journal = readJournal(fs.readFileSync(journalFile, "utf8"));
  if (journal.damagedLine !== undefined) {
    problem({
      problem:
        `journal.jsonl line ${journal.damagedLine} is not JSON: the journal is damaged and cannot be continued; ` +
        "keep the folder for the record and deploy again under a new deployment id",
      command: `${options.deployCommand.replace(/ --deployment-id \S+/, "")} --deployment-id ${deploymentId}-2`,
    });
    return report;
  }
  if (journal.chainId !== undefined && journal.chainId !== report.chainId) {
    problem({
      problem:
        `deployment ${deploymentId} was made on chain ${journal.chainId}, but --network ${options.network} is chain ` +
        `${report.chainId}: run the check with the network it was deployed to`,
    });
    return report;
  }

  const futures = journal.futures;
  report.futures.inJournal = futures.length;
  report.futures.done = futures.filter((f) => f.status === "success").length;

  // Contracts: code at every address the journal records as deployed.
  const placed = futures.filter((f) => f.status === "success" && f.address !== undefined);
  const codes = await Promise.all(placed.map((f) => chain.code(f.address!)));
  report.contracts = placed.map((f, i) => ({ futureId: f.id, address: f.address!, code: codes[i] !== "0x" }));
  // The blocks of the journal's receipts: a chain that was restarted or reset (and deployed to again, at the same
  // addresses) has other blocks at those numbers.
  const recorded = new Map<number, string>();
  for (const f of futures) {
    for (const t of f.interactions.flatMap((i) => i.transactions)) {
      if (t.receiptBlock !== undefined && t.receiptBlockHash !== undefined)
        recorded.set(t.receiptBlock, t.receiptBlockHash);
    }
  }
  const blocks = [...recorded.entries()];
  const hashes = await Promise.all(blocks.map(([n]) => chain.blockHash(n)));
  const otherBlocks = blocks.filter(([, hash], i) => !same(hashes[i], hash)).length;
  const withoutCode = report.contracts.filter((c) => !c.code);
  if (withoutCode.length > 0 || otherBlocks > 0) {
    const what =
      withoutCode.length === report.contracts.length && report.contracts.length > 0
        ? `none of the ${report.contracts.length} contracts the journal records has code on --network ` +
          `${options.network}: the node was restarted or reset since the deploy, or this is another chain`
        : withoutCode.length > 0
          ? `${withoutCode.map((c) => c.futureId).join(", ")} ha${withoutCode.length === 1 ? "s" : "ve"} no code ` +
            "at the recorded address while the other contracts do: this chain is not the one the deployment ran on"
          : `${otherBlocks} of the ${blocks.length} blocks the journal recorded receipts in are not on --network ` +
            `${options.network}: the node was restarted or reset since the deploy (anything at the recorded ` +
            "addresses now was deployed by someone else)";
    problem({ problem: `${what}; nothing repaired — deploy again`, command: `${options.deployCommand} --reset` });
    return report;
  }

  // Repairs, now that the journal and the chain agree. A torn last line is a message that was never fully written,
  // so nothing that follows it in Ignition happened: dropping it leaves the journal as it was before that write.
  if (journal.tornTail !== undefined) {
    if (options.repair) {
      fs.appendFileSync(`${journalFile}.torn`, `${journal.tornTail}\n`);
      const text = fs.readFileSync(journalFile, "utf8");
      writeWhole(journalFile, text.slice(0, text.lastIndexOf(journal.tornTail)).replace(/\n+$/, ""));
    }
    report.repaired.push(
      `journal.jsonl: ${options.repair ? "dropped" : "would drop"} its torn last line (a message whose write never ` +
        `completed${options.repair ? "; kept in journal.jsonl.torn" : ""})`,
    );
  }

  // The address file: exactly the contracts the journal records as deployed, each with code on chain.
  const wanted = Object.fromEntries(report.contracts.map((c) => [c.futureId, c.address]));
  const current = readAddressFile(addressFile);
  const wrong: string[] = [];
  if (current.unreadable !== undefined) {
    if (report.contracts.length > 0) wrong.push(current.unreadable);
  } else {
    const entries = current.entries!;
    const lacking = Object.keys(wanted).filter((id) => entries[id] === undefined);
    const differing = Object.keys(wanted).filter((id) => entries[id] !== undefined && !same(entries[id], wanted[id]));
    const extra = Object.keys(entries).filter((id) => wanted[id] === undefined);
    if (lacking.length > 0) wrong.push(`lacked ${lacking.join(", ")}`);
    if (differing.length > 0) wrong.push(`had another address for ${differing.join(", ")}`);
    if (extra.length > 0) wrong.push(`listed ${extra.join(", ")}, which the journal does not record as deployed`);
  }
  if (wrong.length > 0) {
    if (options.repair) writeWhole(addressFile, `${JSON.stringify(wanted, undefined, 2)}\n`);
    report.repaired.push(
      `deployed_addresses.json ${wrong.join("; ")}: ${options.repair ? "rebuilt" : "would be rebuilt"} from the ` +
        `journal (${report.contracts.length} contracts, each with code on chain)`,
    );
  }

  // Futures the journal leaves unfinished.
  let rerun = false;
  let waitForPool = false;
  const wipe = (id: string) => `npx hardhat ignition wipe ${deploymentId} ${id}`;
  for (const future of futures) {
    if (future.status === "success") continue;
    if (future.status === "failed") {
      problem({
        futureId: future.id,
        problem: `failed (${future.reason}); fix the cause, then clear its state and rerun the deploy`,
        command: wipe(future.id),
      });
      rerun = true;
      continue;
    }
    if (future.status === "held") {
      problem({ futureId: future.id, problem: `held by the deployment strategy (${future.reason})` });
      continue;
    }
    rerun = true;
    const last = future.interactions.at(-1);
    if (last === undefined) {
      if (future.kind === "staticCall") continue;
      problem({
        futureId: future.id,
        problem:
          "started but prepared no transaction (a rerun stops on IGN1 'Unable to find network interaction'); " +
          "nothing was sent for it: clear its state",
        command: wipe(future.id),
      });
      continue;
    }
    if (!last.onchain || last.nonce === undefined) continue; // a rerun goes on by itself
    const from = future.from ?? "";
    if (last.transactions.length > 0) {
      const status = await chain.transactionStatus(last.transactions.at(-1)!.hash);
      if (status === "pending") {
        problem({
          futureId: future.id,
          problem: `its transaction ${last.transactions.at(-1)!.hash} is pending in the node's pool: once it is mined, check again`,
          command: options.checkCommand,
        });
        waitForPool = true;
      }
      continue; // mined or lost: a rerun records it, or sends it again
    }
    // A nonce was reserved but the journal has no transaction hash: a rerun stops on IGN411.
    const earlier = futures
      .filter((f) => f.from === from)
      .flatMap((f) => f.interactions)
      .filter((i) => i.nonce !== undefined && i.nonce < last.nonce!)
      .flatMap((i) => i.transactions.map((t) => t.receiptBlock ?? 0));
    let mined: ChainTransaction | undefined;
    try {
      mined = await minedWithNonce(chain, from, last.nonce, Math.max(0, ...earlier));
    } catch {
      // A node without the history to answer for past blocks: the transaction is looked up by hand.
      problem({
        futureId: future.id,
        problem:
          `the journal lacks the transaction with nonce ${last.nonce} of ${from} (a rerun stops on IGN411) and ` +
          "this node cannot say which block holds it: find its hash in a block explorer, then record it",
        command: `npx hardhat ignition track-tx <txHash> ${deploymentId} --network ${options.network}`,
      });
      continue;
    }
    if (mined !== undefined) {
      const ours = same(mined.to, last.to) && mined.data === last.data && mined.value === last.value;
      problem({
        futureId: future.id,
        problem: ours
          ? `its transaction (nonce ${last.nonce} of ${from}) was mined but the journal lacks its hash (a rerun ` +
            `stops on IGN411): record it`
          : `nonce ${last.nonce} of ${from} was used by another transaction (${mined.hash}); recording it tells ` +
            "Ignition the future's transaction was replaced, and a rerun sends it again",
        command: `npx hardhat ignition track-tx ${mined.hash} ${deploymentId} --network ${options.network}`,
      });
    } else if ((await chain.nonce(from, "pending")) > last.nonce) {
      problem({
        futureId: future.id,
        problem: `a transaction with nonce ${last.nonce} of ${from} is pending in the node's pool: once it is mined, check again`,
        command: options.checkCommand,
      });
      waitForPool = true;
    } else {
      problem({
        futureId: future.id,
        problem:
          `nonce ${last.nonce} of ${from} was reserved but no transaction with it reached the chain (a rerun stops ` +
          "on IGN411): clear its state",
        command: wipe(future.id),
      });
    }
  }

  // Transactions of the deployment's accounts waiting in the node's pool make a rerun wait or stop.
  const senders = [...new Set(futures.map((f) => f.from).filter((f): f is string => f !== undefined))];
  for (const sender of senders) {
    const [mined, pending] = await Promise.all([chain.nonce(sender, "latest"), chain.nonce(sender, "pending")]);
    if (pending > mined && !waitForPool) {
      problem({
        problem: `${pending - mined} transaction(s) of ${sender} are pending in the node's pool: once they are mined, check again`,
        command: options.checkCommand,
      });
      waitForPool = true;
    }
  }

  const started = new Set(futures.map((f) => f.id));
  const notStarted = (options.expectedFutures ?? []).filter((id) => !started.has(id));
  if (notStarted.length > 0) rerun = true;
  if (rerun && !waitForPool) {
    const left = (options.expectedFutures?.length ?? futures.length) - report.futures.done;
    problem({
      problem: `${left} of ${options.expectedFutures?.length ?? futures.length} futures are not done: ${
        report.problems.length > 0 ? "after the commands above, " : ""
      }rerun the deploy`,
      command: options.deployCommand,
    });
  }
  report.complete = report.problems.length === 0;
  return report;
}

/** The report as lines for a person: a summary, each repair, then each problem and its command on a line of its own. */
export function reportLines(report: CheckReport): string[] {
  const total = report.futures.expected ?? report.futures.inJournal;
  const withCode = report.contracts.filter((c) => c.code).length;
  const lines = [
    `deployment ${report.deploymentId} on --network ${report.network} (chain ${report.chainId ?? "?"}): ` +
      `${report.futures.done} of ${total} futures done, ${withCode} of ${report.contracts.length} contracts with code`,
  ];
  for (const repair of report.repaired) lines.push(`${report.dryRun ? "to repair" : "repaired"}: ${repair}`);
  for (const p of report.problems) {
    lines.push(`${p.futureId ? `${p.futureId}: ` : ""}${p.problem}${p.command ? ":" : ""}`);
    if (p.command) lines.push(`  ${p.command}`);
  }
  if (report.complete) lines.push("complete: every future done, the address file and the chain agree");
  return lines;
}
