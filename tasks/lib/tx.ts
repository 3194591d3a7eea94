/**
 * Sending a transaction and waiting for its receipt: checked before it is sent, bounded in time after. Without the
 * check, a node that sends with a fixed gas limit (anvil, as hardhat-ethers drives it) mines a refused act as a
 * failed transaction; without a bound, a wait on a transaction the node no longer knows (the node was restarted,
 * or it stopped mining) never ends and the command never exits.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

/** The environment variable that sets how long a command waits for a transaction to be taken and mined. */
export const TX_TIMEOUT_ENV = "BILL_DVP_TX_TIMEOUT";
const DEFAULT_TIMEOUT_SECONDS = 120;

/** The bound on each send and wait, in seconds: `BILL_DVP_TX_TIMEOUT`, or 120. */
export function txTimeoutSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[TX_TIMEOUT_ENV];
  if (text === undefined || text.trim() === "") return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !(seconds > 0)) {
    throw new Error(`${TX_TIMEOUT_ENV}="${text}" is not a number of seconds greater than 0 (e.g. 300)`);
  }
  return seconds;
}

/** A transaction was not taken by the node, or not mined, within the bound: its outcome is unknown. */
export class TxTimeoutError extends Error {
  constructor(
    readonly hash: string | undefined,
    readonly seconds: number,
  ) {
    super(TxTimeoutError.line(hash, seconds, "the node"));
    this.name = "TxTimeoutError";
  }

  /** The one line for a person, naming the network whose node to check. */
  static line(hash: string | undefined, seconds: number, node: string, checkCommand?: string): string {
    const what =
      hash === undefined
        ? `${node} did not take the transaction within ${seconds} s (nothing confirmed)`
        : `transaction ${hash} was sent but not mined within ${seconds} s (not confirmed: it may still be mined, ` +
          "or be lost if the node restarted)";
    const check = checkCommand ? ` (after a restart the deployment is gone too: ${checkCommand})` : "";
    return `${what}: check that ${node} is running and mining${check}; ${TX_TIMEOUT_ENV}=<seconds> waits longer`;
  }

  /** This error's line for `--network <name>`. */
  describe(network: string): string {
    return TxTimeoutError.line(
      this.hash,
      this.seconds,
      `the node of --network ${network}`,
      `npx hardhat platform check --network ${network}`,
    );
  }
}

/** What a contract call returns before it is mined (ethers' `ContractTransactionResponse`, or any response). */
export interface Sent<R> {
  hash: string;
  wait(): Promise<R>;
}

/** A failure of the connection to the node (not an answer from it): the node went down or restarted. */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (depth > 6 || error === null || typeof error !== "object") return false;
  const record = error as Record<string, unknown>;
  const text = `${String(record.code ?? "")} ${String(record.message ?? "")}`;
  if (/ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|HH108|Cannot connect to the network/.test(text)) {
    return true;
  }
  return ["cause", "error", "parent"].some((key) => isConnectionError(record[key], depth + 1));
}

/**
 * The receipt of `sent` (a contract call's promise): waits for the node to take the transaction and for it to be
 * mined, at most `BILL_DVP_TX_TIMEOUT` seconds in all, and throws `TxTimeoutError` past that. Once the transaction
 * is sent, a lost connection to the node does not end the wait: it asks again until the bound (a node that went
 * down and came back still has the transaction, or has lost it and the bound says so). A reverted transaction
 * throws as ethers throws it (the custom error is decoded by the caller).
 */
export async function mined<R>(sent: Promise<Sent<R>>): Promise<R> {
  const seconds = txTimeoutSeconds();
  let hash: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let over = false;
  const work = (async () => {
    const response = await sent;
    hash = response.hash;
    for (;;) {
      try {
        return await response.wait();
      } catch (error) {
        if (over || !isConnectionError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();
  // If the bound wins, the abandoned wait may still fail later: that failure has no one left to tell.
  work.catch(() => undefined);
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TxTimeoutError(hash, seconds)), seconds * 1000);
  });
  try {
    return await Promise.race([work, bound]);
  } finally {
    over = true;
    clearTimeout(timer);
  }
}

/** Headroom over the node's estimate, in percent: what a transaction's gas limit adds to it. */
const GAS_MARGIN_PERCENT = 20n;
const CHECKED = Symbol("checked before sending");

/**
 * Makes `signer` check every transaction before sending it: the node estimates its gas first, so an act the chain
 * would refuse fails there with the contract's custom error and nothing is sent (no nonce spent, no gas paid), on
 * any node; the transaction then goes with that estimate plus a margin as its gas limit, not a node's default.
 */
export function checkedBeforeSending(signer: HardhatEthersSigner): HardhatEthersSigner {
  const marked = signer as HardhatEthersSigner & { [CHECKED]?: true };
  if (marked[CHECKED]) return signer;
  const send = signer.sendTransaction.bind(signer);
  signer.sendTransaction = async (tx) => {
    const gasLimit = tx.gasLimit ?? ((await signer.estimateGas(tx)) * (100n + GAS_MARGIN_PERCENT)) / 100n;
    return send({ ...tx, gasLimit });
  };
  marked[CHECKED] = true;
  return signer;
}
