/**
 * A minimal JSON-RPC client for the node bench: plain HTTP (keep-alive, JSON-RPC batches) against a node it
 * started, or any EIP-1193 provider (the in-process Hardhat network, in the tests). No hardhat-ethers and no
 * ethers provider in between: they guess at the node (hardhat-ethers takes anvil for a Hardhat node, which it
 * answers `hardhat_metadata` like one, and then sends without estimating gas; ethers' provider batches requests
 * behind a 10 ms stall), and a bench must see exactly what it sends and what the node answers.
 */

export interface RpcRequest {
  method: string;
  params: unknown[];
}

/** One answer of a batch: a result, or the node's error for that request. */
export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: RpcError };

export interface Rpc {
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Several requests in one round trip where the transport allows it; answers in request order. */
  batch(requests: RpcRequest[]): Promise<RpcOutcome[]>;
}

/** An error answered by the node (not a transport failure). */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
    readonly data: unknown,
  ) {
    super(message);
  }

  /** The revert data, wherever the node put it: anvil in `data`, the Hardhat node in `data.data`. */
  get revertData(): string | undefined {
    const d = this.data as { data?: unknown } | string | undefined;
    if (typeof d === "string" && d.startsWith("0x")) return d;
    if (d && typeof d === "object" && typeof d.data === "string" && d.data.startsWith("0x")) return d.data;
    return undefined;
  }

  /** The Hardhat node's automine answers a reverted transaction with an error, though it mined it: its hash. */
  get minedTxHash(): string | undefined {
    const d = this.data as { txHash?: unknown } | undefined;
    return d && typeof d === "object" && typeof d.txHash === "string" ? d.txHash : undefined;
  }
}

interface WireAnswer {
  id: number;
  result?: unknown;
  error?: { code?: number; message?: string; data?: unknown };
}

const toOutcome = (answer: WireAnswer | undefined): RpcOutcome =>
  answer === undefined
    ? { ok: false, error: new RpcError("no answer in the batch", undefined, undefined) }
    : answer.error
      ? { ok: false, error: new RpcError(answer.error.message ?? "error", answer.error.code, answer.error.data) }
      : { ok: true, result: answer.result ?? null };

const TRANSPORT_ATTEMPTS = 4;

/** JSON-RPC over HTTP to `url`. */
export function httpRpc(url: string): Rpc {
  let nextId = 1;
  const post = async (body: unknown): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
        return await response.json();
      } catch (error) {
        // A transport failure, not an answer: typically a kept-alive socket the node closed as the request left
        // (Node's HTTP server drops idle sockets after 5 s). Every request here may be repeated: reads are reads,
        // and a raw transaction sent twice is the same transaction (the client recognises it as known).
        if (attempt >= TRANSPORT_ATTEMPTS) {
          const cause = (error as { cause?: { message?: string } }).cause?.message;
          throw new Error(`${url}: ${(error as Error).message}${cause ? ` (${cause})` : ""}`, { cause: error });
        }
        await sleep(50 * attempt);
      }
    }
  };
  return {
    async request<T>(method: string, params: unknown[] = []): Promise<T> {
      const outcome = toOutcome((await post({ jsonrpc: "2.0", id: nextId++, method, params })) as WireAnswer);
      if (!outcome.ok) throw outcome.error;
      return outcome.result as T;
    },
    async batch(requests: RpcRequest[]): Promise<RpcOutcome[]> {
      if (requests.length === 0) return [];
      const first = nextId;
      nextId += requests.length;
      const body = requests.map((r, i) => ({ jsonrpc: "2.0", id: first + i, method: r.method, params: r.params }));
      const answers = (await post(body)) as WireAnswer[];
      const byId = new Map(answers.map((a) => [a.id, a]));
      return requests.map((_r, i) => toOutcome(byId.get(first + i)));
    },
  };
}

/** An EIP-1193 provider (e.g. `hre.network.provider`) as an `Rpc`; a batch is sent request by request. */
export function providerRpc(provider: {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}): Rpc {
  const asRpcError = (error: unknown): RpcError => {
    if (error instanceof RpcError) return error;
    const e = error as { message?: string; code?: number; data?: unknown };
    return new RpcError(e.message ?? String(error), e.code, e.data);
  };
  const request = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    try {
      return (await provider.request({ method, params })) as T;
    } catch (error) {
      throw asRpcError(error);
    }
  };
  return {
    request,
    async batch(requests: RpcRequest[]): Promise<RpcOutcome[]> {
      const outcomes: RpcOutcome[] = [];
      for (const r of requests) {
        try {
          outcomes.push({ ok: true, result: await request(r.method, r.params) });
        } catch (error) {
          outcomes.push({ ok: false, error: asRpcError(error) });
        }
      }
      return outcomes;
    },
  };
}

/** Runs `fn` over `items` with at most `limit` at a time; results in item order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>) {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `requests` in batches of `size`, answers in request order. */
export async function batched(rpc: Rpc, requests: RpcRequest[], size = 100): Promise<RpcOutcome[]> {
  const chunks: RpcRequest[][] = [];
  for (let i = 0; i < requests.length; i += size) chunks.push(requests.slice(i, i + size));
  return (await mapLimit(chunks, 4, (chunk) => rpc.batch(chunk))).flat();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
