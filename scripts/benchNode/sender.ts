/**
 * The agent's transaction client: every wallet's nonces managed here, transactions signed here and sent raw, an
 * explicit gas limit on every one, and every receipt's status read.
 *
 * Nodes differ in what they accept. Under automine the Hardhat node mines each transaction inside the
 * `eth_sendRawTransaction` call and refuses a nonce ahead of the next one ("Nonce too high … can't be queued when
 * automining"); anvil answers at once and queues a nonce ahead until the gap fills. So each wallet sends in nonce
 * order: a transaction is dispatched only after the previous one of its wallet was dispatched, with at most
 * `window` of the wallet's transactions sent and not yet seen mined, and a "nonce too high" refusal (two requests
 * overtaking each other on their way to the node) is sent again once the previous nonce was accepted. Receipts are
 * read apart, so a wallet keeps sending while its earlier transactions are mined; bounding what is in flight keeps
 * the latency a latency and not the length of a queue (anvil accepts far faster than it mines).
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
  /** performance.now() when the node accepted it (for the Hardhat node under automine: mined it). */
  acceptedAt: number;
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

/**
 * Reads the receipts of the transactions it is given. Each is asked for once as soon as the node accepted it (the
 * Hardhat node has mined it by then); one not mined yet waits for the blocks: the watcher follows the chain head and
 * reads the transaction hashes of each new block, then the receipts of its own transactions among them. Asking a
 * node again and again for receipts it does not have yet is what slows anvil down as its chain grows.
 */
class ReceiptWatcher {
  /** Accepted, not asked for yet. */
  private readonly fresh = new Map<string, Watched>();
  /** Asked for once, not mined then: looked for in the new blocks. */
  private readonly waiting = new Map<string, Watched>();
  /** The last block whose transactions were looked at (every waiting transaction is in a later block). */
  private lastBlock = -1;
  private running = false;

  constructor(private readonly rpc: Rpc) {}

  get size(): number {
    return this.fresh.size + this.waiting.size;
  }

  watch(hash: string, sentAt: number): Promise<Mined> {
    return new Promise<Mined>((resolve, reject) => {
      this.fresh.set(hash, { sentAt, resolve, reject });
      if (!this.running) {
        this.running = true;
        void this.loop();
      }
    });
  }

  /** Reads the receipts of `hashes` (taken out of `from`); those not mined yet are returned. */
  private async readReceipts(hashes: string[], from: Map<string, Watched>): Promise<[string, Watched][]> {
    const answers = await this.rpc.batch(hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })));
    const now = performance.now();
    const notYet: [string, Watched][] = [];
    answers.forEach((answer, i) => {
      const watched = from.get(hashes[i])!;
      from.delete(hashes[i]);
      const receipt = answer.ok ? (answer.result as WireReceipt | null) : null;
      if (!receipt) return void notYet.push([hashes[i], watched]);
      watched.resolve({
        hash: hashes[i],
        status: Number(receipt.status),
        gasUsed: BigInt(receipt.gasUsed),
        blockNumber: Number(receipt.blockNumber),
        logs: receipt.logs,
        latencyMs: now - watched.sentAt,
        minedAt: now,
      });
    });
    return notYet;
  }

  private async step(): Promise<void> {
    const hadFresh = this.fresh.size > 0;
    if (hadFresh) {
      // The head first: whatever is not mined when its receipt is asked for lands in a block after it.
      const head = this.waiting.size === 0 ? Number(await this.rpc.request<string>("eth_blockNumber")) : -1;
      const notYet = await this.readReceipts([...this.fresh.keys()].slice(0, 200), this.fresh);
      if (notYet.length > 0 && this.waiting.size === 0) this.lastBlock = head;
      for (const [hash, watched] of notYet) this.waiting.set(hash, watched);
    }
    if (this.waiting.size === 0) return;
    const head = Number(await this.rpc.request<string>("eth_blockNumber"));
    if (head <= this.lastBlock) {
      const now = performance.now();
      for (const [hash, watched] of this.waiting) {
        if (now - watched.sentAt <= RECEIPT_TIMEOUT_MS) continue;
        this.waiting.delete(hash);
        watched.reject(new Error(`no receipt for ${hash} after ${RECEIPT_TIMEOUT_MS / 1000} s`));
      }
      if (!hadFresh) await sleep(2);
      return;
    }
    const numbers = Array.from({ length: Math.min(head - this.lastBlock, 100) }, (_, i) => this.lastBlock + 1 + i);
    const blocks = await this.rpc.batch(
      numbers.map((n) => ({ method: "eth_getBlockByNumber", params: [`0x${n.toString(16)}`, false] })),
    );
    const mined: string[] = [];
    for (const block of blocks) {
      if (!block.ok) throw block.error;
      for (const hash of (block.result as { transactions: string[] }).transactions) {
        if (this.waiting.has(hash)) mined.push(hash);
      }
    }
    this.lastBlock = numbers[numbers.length - 1];
    if (mined.length > 0) {
      const lost = await this.readReceipts(mined, this.waiting);
      for (const [hash, watched] of lost) this.fresh.set(hash, watched); // in a block, yet no receipt: ask again
    }
  }

  private async loop() {
    try {
      while (this.fresh.size + this.waiting.size > 0) await this.step();
    } catch (error) {
      for (const queue of [this.fresh, this.waiting]) {
        for (const [hash, watched] of queue) {
          queue.delete(hash);
          watched.reject(error as Error);
        }
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
   * @param window transactions each wallet may have sent and not yet seen mined: 1 sends each after the receipt of
   * the one before; more pipelines the sends (the Hardhat node may then see two overtake each other, refuse the
   * later, and get it again).
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
      lane.broken = error as Error;
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
      lane.release();
      throw error;
    }
    markAccepted();
    const receipt = this.receipts.watch(hash, sentAt);
    // The slot is the wallet's until the receipt is read: `window` bounds the transactions not yet mined.
    receipt.then(
      () => lane.release(),
      () => lane.release(),
    );
    return { hash, nonce, sentAt, acceptedAt: performance.now(), receipt };
  }

  /** Transactions sent whose receipts were not read yet. */
  get unmined(): number {
    return this.receipts.size;
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
