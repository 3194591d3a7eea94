/**
 * The agent's transaction client: every wallet's nonces managed here, transactions signed here and sent raw, an
 * explicit gas limit on every one, and every receipt's status read.
 *
 * Nodes differ in what they accept. Under automine the Hardhat node mines each transaction inside the
 * `eth_sendRawTransaction` call and refuses a nonce ahead of the next one ("Nonce too high … can't be queued when
 * automining"); anvil answers at once and queues a nonce ahead until the gap fills. So each wallet sends in nonce
 * order: a transaction is dispatched only after the previous one of its wallet was dispatched, up to `window`
 * answers outstanding per wallet, and a "nonce too high" refusal (two requests overtaking each other on their way
 * to the node) is sent again once the previous nonce was accepted. Receipts are fetched apart, in JSON-RPC
 * batches, so a wallet keeps sending while its earlier transactions are mined.
 *
 * The Hardhat node also answers a transaction that reverted under automine with an error, though it mined it (the
 * nonce is spent): that is a mined transaction with status 0, not a refusal.
 */
import { Transaction, type BaseWallet } from "ethers";
import { RpcError, sleep, type Rpc } from "./rpc";

export interface TxRequest {
  to: string;
  data: string;
  gasLimit: bigint;
  value?: bigint;
}

export interface Log {
  address: string;
  topics: string[];
  data: string;
}

export interface Mined {
  hash: string;
  status: number;
  gasUsed: bigint;
  blockNumber: number;
  logs: Log[];
  /** From the first dispatch of the transaction to the moment its receipt was read. */
  latencyMs: number;
  /** performance.now() when the receipt was read. */
  minedAt: number;
}

export interface Sent {
  hash: string;
  nonce: number;
  /** performance.now() at the first dispatch. */
  sentAt: number;
  receipt: Promise<Mined>;
}

/** A transaction the node refused (it was not mined and holds no nonce). */
export class TxRefused extends Error {}

/** Fee caps well above what a local node asks; the base fee only falls on these chains (blocks below target). */
export const FEES = { maxFeePerGas: 50_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };

const RECEIPT_TIMEOUT_MS = 120_000;
const MAX_RESENDS = 100;

class Lane {
  nonce = -1;
  /** Set when a transaction of this wallet was refused: its nonce is a gap, so nothing more is sent. */
  broken: Error | undefined;
  /** Resolves when the previous transaction of this wallet was dispatched (sent for the first time). */
  dispatched: Promise<void> = Promise.resolve();
  /** Resolves when the previous transaction of this wallet was accepted by the node. */
  accepted: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private waiting: (() => void)[] = [];

  constructor(
    readonly wallet: BaseWallet,
    private readonly window: number,
  ) {}

  async acquire() {
    if (this.inFlight >= this.window) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
  }

  release() {
    this.inFlight--;
    this.waiting.shift()?.();
  }
}

interface Watched {
  sentAt: number;
  resolve: (m: Mined) => void;
  reject: (e: Error) => void;
}

interface WireReceipt {
  status: string;
  gasUsed: string;
  blockNumber: string;
  logs: Log[];
}

/** Reads receipts of the transactions it is given, many per request. */
class ReceiptWatcher {
  private readonly pending = new Map<string, Watched>();
  private running = false;

  constructor(private readonly rpc: Rpc) {}

  watch(hash: string, sentAt: number): Promise<Mined> {
    return new Promise<Mined>((resolve, reject) => {
      this.pending.set(hash, { sentAt, resolve, reject });
      if (!this.running) {
        this.running = true;
        void this.loop();
      }
    });
  }

  private async loop() {
    try {
      while (this.pending.size > 0) {
        const hashes = [...this.pending.keys()].slice(0, 200);
        const answers = await this.rpc.batch(hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })));
        const now = performance.now();
        let found = 0;
        answers.forEach((answer, i) => {
          const watched = this.pending.get(hashes[i])!;
          const receipt = answer.ok ? (answer.result as WireReceipt | null) : null;
          if (receipt) {
            found++;
            this.pending.delete(hashes[i]);
            watched.resolve({
              hash: hashes[i],
              status: Number(receipt.status),
              gasUsed: BigInt(receipt.gasUsed),
              blockNumber: Number(receipt.blockNumber),
              logs: receipt.logs,
              latencyMs: now - watched.sentAt,
              minedAt: now,
            });
          } else if (now - watched.sentAt > RECEIPT_TIMEOUT_MS) {
            this.pending.delete(hashes[i]);
            watched.reject(new Error(`no receipt for ${hashes[i]} after ${RECEIPT_TIMEOUT_MS / 1000} s`));
          }
        });
        if (found === 0) await sleep(2);
      }
    } catch (error) {
      for (const [hash, watched] of this.pending) {
        this.pending.delete(hash);
        watched.reject(error as Error);
      }
    } finally {
      this.running = false;
    }
  }
}

const isNonceTooHigh = (error: unknown) => error instanceof RpcError && /nonce too high/i.test(error.message);

export class TxClient {
  /** Sends repeated after a "nonce too high" refusal. */
  resends = 0;
  private readonly lanes = new Map<string, Lane>();
  private readonly receipts: ReceiptWatcher;

  /**
   * @param window answers each wallet may have outstanding: 1 sends each transaction after the node accepted the
   * previous one of its wallet; more pipelines the sends (the Hardhat node may then refuse and get a resend).
   */
  constructor(
    readonly rpc: Rpc,
    readonly chainId: bigint,
    readonly window = 4,
  ) {
    this.receipts = new ReceiptWatcher(rpc);
  }

  private lane(wallet: BaseWallet): Lane {
    let lane = this.lanes.get(wallet.address);
    if (!lane) {
      lane = new Lane(wallet, this.window);
      this.lanes.set(wallet.address, lane);
      const pending = this.rpc.request<string>("eth_getTransactionCount", [wallet.address, "pending"]);
      lane.dispatched = pending.then((n) => void (lane!.nonce = Number(n)));
    }
    return lane;
  }

  /**
   * Signs and sends `tx` from `wallet` with the wallet's next nonce; resolves once the node accepted it (for the
   * Hardhat node under automine: once it is mined). Rejects with `TxRefused` if the node refused it.
   */
  async send(wallet: BaseWallet, tx: TxRequest): Promise<Sent> {
    const lane = this.lane(wallet);
    const previousDispatched = lane.dispatched;
    const previousAccepted = lane.accepted;
    let markDispatched!: () => void;
    let markAccepted!: () => void;
    let markRefused!: (e: Error) => void;
    lane.dispatched = new Promise<void>((resolve) => (markDispatched = resolve));
    const accepted = new Promise<void>((resolve, reject) => {
      markAccepted = resolve;
      markRefused = reject;
    });
    accepted.catch(() => undefined);
    lane.accepted = accepted;

    await previousDispatched;
    if (lane.broken) {
      markDispatched();
      markRefused(lane.broken);
      throw new TxRefused(`${wallet.address}: not sent, an earlier transaction of this wallet was refused`);
    }
    const nonce = lane.nonce++;
    let raw: string;
    try {
      raw = await wallet.signTransaction({
        type: 2,
        chainId: this.chainId,
        nonce,
        to: tx.to,
        data: tx.data,
        value: tx.value ?? 0n,
        gasLimit: tx.gasLimit,
        ...FEES,
      });
    } catch (error) {
      markDispatched();
      markRefused(error as Error);
      throw error;
    }
    const hash = Transaction.from(raw).hash!;
    await lane.acquire();
    const sentAt = performance.now();
    markDispatched();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.rpc.request("eth_sendRawTransaction", [raw]);
          break;
        } catch (error) {
          if (isNonceTooHigh(error) && attempt < MAX_RESENDS) {
            this.resends++;
            await previousAccepted;
            if (attempt > 0) await sleep(1);
            continue;
          }
          if (await this.isKnown(hash, error)) break;
          throw new TxRefused(
            `${wallet.address} nonce ${nonce}: the node refused the transaction: ${errorText(error)}`,
          );
        }
      }
    } catch (error) {
      // Its nonce is now a gap: nothing after it from this wallet can be mined, so nothing more is sent.
      lane.broken = error as Error;
      markRefused(error as Error);
      throw error;
    } finally {
      lane.release();
    }
    markAccepted();
    return { hash, nonce, sentAt, receipt: this.receipts.watch(hash, sentAt) };
  }

  /** Sends and waits for the receipt; throws unless the transaction succeeded. */
  async mined(wallet: BaseWallet, tx: TxRequest, what: string): Promise<Mined> {
    const receipt = await (await this.send(wallet, tx)).receipt;
    if (receipt.status !== 1) throw new Error(`${what} failed on chain (status 0, tx ${receipt.hash})`);
    return receipt;
  }

  /** Whether a send that errored is in fact mined or pooled (a reverted automined transaction, a lost answer). */
  private async isKnown(hash: string, error: unknown): Promise<boolean> {
    if (error instanceof RpcError && error.minedTxHash?.toLowerCase() === hash.toLowerCase()) return true;
    try {
      return (await this.rpc.request("eth_getTransactionByHash", [hash])) !== null;
    } catch {
      return false;
    }
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
