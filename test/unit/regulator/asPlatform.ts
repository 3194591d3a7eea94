/**
 * The task library's `Platform` (what `loadPlatform` gives a command) built from a fixture's suite, connected to
 * one acting wallet: the tests call the same library functions as the `keys`, `dvp`, `bill` and `regulator` tasks.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { connectPlatform, type Platform } from "../../../tasks/lib/deployment";
import type { Suite } from "../../fixtures/platform";

export function asPlatform(suite: Suite, signer: HardhatEthersSigner): Platform {
  return connectPlatform(suite, signer);
}
