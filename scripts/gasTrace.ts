/**
 * Where the gas of one transaction goes: an opcode trace (debug_traceTransaction) summed per contract, each
 * contract's own steps only (a call's cost goes to the caller, what the callee spends to the callee), with the
 * storage reads, storage writes and logs of each shown apart. Used by `npm run bench` with BENCH_TRACE set.
 */
import hre from "hardhat";

interface Step {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

/** Gas of one contract's own steps in the traced transaction. */
export interface FrameGas {
  total: number;
  storageReads: number;
  storageWrites: number;
  logs: number;
  /** Cold account accesses and the cost of the calls themselves (not what the callee spends). */
  calls: number;
}

export interface GasBreakdown {
  gasUsed: number;
  /** The transaction's base cost plus its calldata (what the sender pays before any code runs). */
  intrinsic: number;
  calldataBytes: number;
  byContract: Record<string, FrameGas>;
}

const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);
const ACCOUNT_ACCESS = new Set(["EXTCODESIZE", "EXTCODEHASH", "EXTCODECOPY", "BALANCE"]);

function calleeOf(step: Step): string {
  const stack = step.stack!;
  return "0x" + stack[stack.length - 2].replace(/^0x/, "").slice(-40).padStart(40, "0");
}

/** Intrinsic gas of a transaction without access list or contract creation: 21,000 plus 4 or 16 per byte. */
function intrinsicGas(data: string): number {
  let gas = 21_000;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4 : 16;
  return gas;
}

/**
 * Traces `hash` and sums its gas per contract. `names` maps lower-case addresses to the names printed; other
 * addresses (precompiles included) are printed as they are.
 */
export async function traceGas(hash: string, names: Record<string, string>): Promise<GasBreakdown> {
  const tx = (await hre.ethers.provider.getTransaction(hash))!;
  const receipt = (await hre.ethers.provider.getTransactionReceipt(hash))!;
  const trace = await hre.network.provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStorage: true },
  ]);
  const steps: Step[] = trace.structLogs;
  const byContract: Record<string, FrameGas> = {};
  const frameOf = (name: string) =>
    (byContract[name] ??= { total: 0, storageReads: 0, storageWrites: 0, logs: 0, calls: 0 });
  // The contract running at each depth, and for each open call the index of the calling step.
  const frames: string[] = [names[tx.to!.toLowerCase()] ?? tx.to!];
  const openCalls: number[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const next = steps[i + 1];
    const name = frames[step.depth - 1];
    if (next !== undefined && next.depth > step.depth) {
      // The step opens a call: its own cost is settled when the call returns.
      frames[step.depth] = names[calleeOf(step)] ?? calleeOf(step);
      openCalls.push(i);
      continue;
    }
    const cost = next !== undefined && next.depth === step.depth ? step.gas - next.gas : step.gasCost;
    if (next !== undefined && next.depth < step.depth) {
      // Returning: the caller's call step costs what the call took in all, less what the callee spent.
      const callIndex = openCalls.pop()!;
      const calleeStart = steps[callIndex + 1].gas;
      const calleeSpent = calleeStart - (step.gas - step.gasCost);
      const callerName = frames[next.depth - 1];
      const callOwn = steps[callIndex].gas - next.gas - calleeSpent;
      const caller = frameOf(callerName);
      caller.total += callOwn;
      caller.calls += callOwn;
    }
    const frame = frameOf(name);
    frame.total += cost;
    if (step.op === "SLOAD") frame.storageReads += cost;
    else if (step.op === "SSTORE") frame.storageWrites += cost;
    else if (step.op.startsWith("LOG")) frame.logs += cost;
    else if (CALLS.has(step.op) || ACCOUNT_ACCESS.has(step.op)) frame.calls += cost;
  }
  const intrinsic = intrinsicGas(tx.data);
  return {
    gasUsed: Number(receipt.gasUsed),
    intrinsic,
    calldataBytes: (tx.data.length - 2) / 2,
    byContract,
  };
}

/** Prints a breakdown as a table. */
export function printBreakdown(operation: string, b: GasBreakdown): void {
  const n = (x: number) => x.toLocaleString("en-US").padStart(8);
  console.log(`\n${operation}: ${b.gasUsed.toLocaleString("en-US")} gas`);
  console.log(`  ${"part".padEnd(42)}     total   storage r  storage w      logs     calls`);
  console.log(`  ${`transaction base + calldata (${b.calldataBytes} bytes)`.padEnd(42)}  ${n(b.intrinsic)}`);
  let sum = b.intrinsic;
  for (const [name, f] of Object.entries(b.byContract)) {
    sum += f.total;
    console.log(
      `  ${name.padEnd(42)}  ${n(f.total)}  ${n(f.storageReads)}   ${n(f.storageWrites)}  ${n(f.logs)}  ${n(f.calls)}`,
    );
  }
  // Refunds (storage cleared) make the receipt lower than the sum of the steps.
  if (sum !== b.gasUsed) console.log(`  ${"refund".padEnd(42)}  ${n(b.gasUsed - sum)}`);
}
