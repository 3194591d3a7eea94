/**
 * The measured runs (the agent submits every order alone, then in batches) and the races (two agents submit
 * conflicting orders for one range), with what the conservation checks need to know about them.
 */
import type { BaseWallet } from "ethers";
import {
  IFACE,
  decodeError,
  discountOrder,
  partStarts,
  settleBatchData,
  settleData,
  type Market,
  type Order,
} from "./market";
import { RpcError, type Rpc } from "./rpc";
import type { Mined, TxClient } from "./sender";

export interface RunFigures {
  trades: number;
  transactions: number;
  seconds: number;
  tradesPerSecond: number;
  transactionsPerSecond: number;
  /** Send to receipt, over the run's transactions. */
  latencyMs: { p50: number; p99: number; max: number };
  /** Send to the node's answer (the Hardhat node answers once it mined the transaction; anvil at once). */
  acceptMs: { p50: number; p99: number };
  gasPerTrade: number;
  /** The gas limit given to each transaction (eth_estimateGas on the first, plus half). */
  gasLimit: number;
  /** Sends repeated after a "nonce too high" refusal. */
  resends: number;
}

const TRADE_SETTLED = IFACE.engine.getEvent("TradeSettled").topicHash;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function estimate(rpc: Rpc, from: string, to: string, data: string, what: string): Promise<bigint> {
  try {
    return BigInt(await rpc.request<string>("eth_estimateGas", [{ from, to, data }]));
  } catch (error) {
    const reason = error instanceof RpcError ? (decodeError(error.revertData)?.text ?? error.message) : String(error);
    throw new Error(`${what} would fail: ${reason}`, { cause: error });
  }
}

/** The trade ids a receipt settled, in log order. */
export function settledIds(receipt: Mined, engine: string): string[] {
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === engine.toLowerCase() && l.topics[0] === TRADE_SETTLED)
    .map((l) => l.topics[1]);
}

/**
 * Submits `groups` (one transaction each: `settle` for a group of one, else `settleBatch`) from `agent`, all
 * queued at once (the client keeps the agent's nonces in order and pipelines the sends), and waits for every
 * receipt. Fails unless every transaction succeeded and settled exactly its orders.
 */
export async function runOrders(
  client: TxClient,
  market: Market,
  agent: BaseWallet,
  groups: Order[][],
): Promise<{ figures: RunFigures; receipts: Mined[] }> {
  const engine = market.contracts.engine;
  const dataOf = (g: Order[]) => (g.length === 1 ? settleData(g[0]) : settleBatchData(g));
  const first = dataOf(groups[0]);
  const gasLimit = ((await estimate(client.rpc, agent.address, engine, first, "the first order")) * 3n) / 2n;
  const resendsBefore = client.resends;
  const sent = await Promise.all(groups.map((g) => client.send(agent, { to: engine, data: dataOf(g), gasLimit })));
  const receipts = await Promise.all(sent.map((s) => s.receipt));
  const startedAt = Math.min(...sent.map((s) => s.sentAt));
  const endedAt = Math.max(...receipts.map((r) => r.minedAt));

  receipts.forEach((r, i) => {
    if (r.status !== 1)
      throw new Error(`transaction ${r.hash} (orders ${groups[i].map((o) => o.range)}) failed on chain`);
    const ids = settledIds(r, engine);
    const want = groups[i].map((o) => o.id);
    if (ids.length !== want.length || ids.some((x, k) => x !== want[k])) {
      throw new Error(`transaction ${r.hash} settled ${ids.length} trades, not its ${want.length} orders`);
    }
  });

  const seconds = (endedAt - startedAt) / 1000;
  const trades = groups.reduce((n, g) => n + g.length, 0);
  const latencies = receipts.map((r) => r.latencyMs).sort((a, b) => a - b);
  const accepts = sent.map((s) => s.acceptedAt - s.sentAt).sort((a, b) => a - b);
  const gas = receipts.reduce((sum, r) => sum + r.gasUsed, 0n);
  return {
    receipts,
    figures: {
      trades,
      transactions: groups.length,
      seconds: round(seconds, 2),
      tradesPerSecond: round(trades / seconds),
      transactionsPerSecond: round(groups.length / seconds),
      latencyMs: {
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies[latencies.length - 1]),
      },
      acceptMs: { p50: round(percentile(accepts, 50)), p99: round(percentile(accepts, 99)) },
      gasPerTrade: Number(gas / BigInt(trades)),
      gasLimit: Number(gasLimit),
      resends: client.resends - resendsBefore,
    },
  };
}

/** Splits `orders` into groups of `size`. */
export function inGroups<T>(items: T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

export interface Race {
  round: number;
  /** "same block": both sent with automine off, then one block mined; "back to back": both sent at once. */
  timing: "same block" | "back to back";
  /** "same order": both agents submit one order; "conflicting": each its own order for the same units. */
  orders: "same order" | "conflicting";
  range: number;
  /** What each agent submitted (the same order twice, or two orders). */
  submitted: [Order, Order];
  receipts: [Mined, Mined];
  /** The order that settled, if exactly one did. */
  winner?: Order;
}

/**
 * Two agents race for the race part of ranges 0..races-1. Every order is sent with an explicit gas limit and no
 * estimate, so the node cannot refuse the loser before the chain does: the engine or the ledger must.
 */
export async function runRaces(client: TxClient, market: Market): Promise<Race[]> {
  const rpc = client.rpc;
  const [agentA, agentB] = market.cast.agents;
  const engine = market.contracts.engine;
  const n = BigInt(market.ranges.length);
  const races: Race[] = [];
  let gasLimit = 0n;
  for (let k = 0; k < Math.min(market.size.races, market.ranges.length); k++) {
    const r = market.ranges[k];
    const start = partStarts(r).race;
    const nonce = 1n + 2n * n + 2n * BigInt(k);
    const a = discountOrder(market, r, start, r.parts.race, r.buyer, nonce);
    const same = k % 2 === 0;
    const b = same ? a : discountOrder(market, r, start, r.parts.race, r.rival, nonce + 1n);
    if (gasLimit === 0n)
      gasLimit = ((await estimate(rpc, agentA.address, engine, settleData(a), "a race order")) * 3n) / 2n;
    const timing = k < market.size.races / 2 ? "same block" : "back to back";
    let sent;
    if (timing === "same block") {
      await rpc.request("evm_setAutomine", [false]);
      try {
        sent = [
          await client.send(agentA, { to: engine, data: settleData(a), gasLimit }),
          await client.send(agentB, { to: engine, data: settleData(b), gasLimit }),
        ];
        await rpc.request("evm_mine", []);
      } finally {
        await rpc.request("evm_setAutomine", [true]);
      }
    } else {
      sent = await Promise.all([
        client.send(agentA, { to: engine, data: settleData(a), gasLimit }),
        client.send(agentB, { to: engine, data: settleData(b), gasLimit }),
      ]);
    }
    const receipts = (await Promise.all(sent.map((s) => s.receipt))) as [Mined, Mined];
    const succeeded = receipts.filter((x) => x.status === 1);
    races.push({
      round: k,
      timing,
      orders: same ? "same order" : "conflicting",
      range: k,
      submitted: [a, b],
      receipts,
      winner: succeeded.length === 1 ? (receipts[0].status === 1 ? a : b) : undefined,
    });
  }
  return races;
}
