import { expect } from "chai";
import fc from "fast-check";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract, ContractTransactionResponse } from "ethers";

/** The custom error a model predicts for an act: which contract raises it, its name and its arguments. */
export interface Refusal<C extends string> {
  contract: C;
  name: string;
  args: unknown[];
}

/** An act as the model planned it, ready to send. */
export interface PlannedSend<C extends string> {
  label: string;
  /** The error the model predicts, or undefined if it predicts success. */
  refusal?: Refusal<C>;
  send: () => Promise<ContractTransactionResponse>;
}

/** The message of a thrown value. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `value` as JSON, bigints as decimal strings: how an act prints its arguments. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/**
 * Sends the planned act (its block time already set to `t`) and logs it: it must revert with exactly the predicted
 * error and arguments, raised by `contracts[refusal.contract]`, or, if none is predicted, succeed.
 */
export async function sendAsPlanned<C extends string>(
  p: PlannedSend<C>,
  t: bigint,
  contracts: Record<C, BaseContract>,
  log: string[],
): Promise<void> {
  log.push(`${p.label} @${t} -> ${p.refusal ? p.refusal.name : "ok"}`);
  if (p.refusal) {
    await expect(p.send(), p.label)
      .to.be.revertedWithCustomError(contracts[p.refusal.contract], p.refusal.name)
      .withArgs(...p.refusal.args);
    return;
  }
  try {
    await (await p.send()).wait();
  } catch (e) {
    throw new Error(`${p.label} was refused but the model expected success: ${errorText(e)}`, { cause: e });
  }
}

/**
 * Plans the next act for a block one second after `now` (every act, refused or not, is mined in its own block),
 * pins that block's time and sends the act as planned; returns the plan and the block's time.
 */
export async function sendNextAct<C extends string, P extends PlannedSend<C>>(
  now: bigint,
  plan: (t: bigint) => P,
  contracts: Record<C, BaseContract>,
  log: string[],
): Promise<{ p: P; t: bigint }> {
  const t = now + 1n;
  await time.setNextBlockTimestamp(t);
  const p = plan(t);
  await sendAsPlanned(p, t, contracts, log);
  return { p, t };
}

/**
 * Runs `numRuns` random sequences of up to `maxCommands` acts against a fresh model and chain each; a failure
 * lists the acts as they were run.
 */
export async function assertModelRuns<M extends object, R extends { log: string[] }>(
  acts: fc.Arbitrary<fc.AsyncCommand<M, R>>,
  freshRun: () => Promise<{ model: M; real: R }>,
  { maxCommands, numRuns }: { maxCommands: number; numRuns: number },
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.commands([acts], { maxCommands, size: "max" }), async (commands) => {
      const { model, real } = await freshRun();
      try {
        await fc.asyncModelRun(() => ({ model, real }), commands);
      } catch (e) {
        if (e instanceof Error) e.message += `\nacts as run:\n  ${real.log.join("\n  ")}`;
        throw e;
      }
    }),
    { numRuns },
  );
}
