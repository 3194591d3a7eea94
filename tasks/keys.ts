import { scope } from "hardhat/config";
import { commonParams, runCommand, runLocal, type CommonArgs } from "./lib/cli";
import { newKeyFile, PASSWORD_ENV, publicKeyFromOptions } from "./lib/confidential";
import { table } from "./lib/output";
import { publishEntityKey, refuseKeyOfAnother, showKeys } from "./lib/regulator";

const keys = scope("keys", "Envelope keys for confidential terms: new, publish, show");

commonParams(
  keys
    .task("new", "Make a fresh secp256k1 key into an encrypted key file (password from BILL_DVP_KEY_PASSWORD)")
    .addParam("out", "the key file to write (never overwritten; readable by you only)"),
).setAction(async (args: CommonArgs & { out: string }, hre) =>
  runLocal(
    hre,
    args,
    () => newKeyFile(args.out),
    (r) =>
      [
        `wrote a new key to ${r.file} (mode 0600, encrypted with the password in ${PASSWORD_ENV})`,
        `public key ${r.publicKey}`,
      ].join("\n"),
  ),
);

commonParams(
  keys
    .task("publish", "Publish your entity's envelope key: sealed terms are then readable with it (any verified wallet)")
    .addOptionalParam("keyFile", "key file made by `keys new` (password from BILL_DVP_KEY_PASSWORD)")
    .addOptionalParam("publicKey", "or the compressed public key itself (0x02… or 0x03…, 33 bytes)"),
).setAction(async (args: CommonArgs & { keyFile?: string; publicKey?: string }, hre) =>
  runCommand(
    hre,
    args,
    async (platform) => {
      const publicKey = await publicKeyFromOptions(args);
      const { entityId } = await platform.identityRegistry.identityOf(platform.signer.address);
      await refuseKeyOfAnother(platform, publicKey, entityId);
      return publishEntityKey(platform, publicKey);
    },
    (r) => `published envelope key ${r.publicKey} for entity ${r.entityId}: version ${r.version} (tx ${r.tx})`,
  ),
);

commonParams(
  keys
    .task("show", "A wallet's entity envelope key and the regulator's current view key")
    .addOptionalParam("wallet", "the wallet (default: the acting wallet)"),
).setAction(async (args: CommonArgs & { wallet?: string }, hre) =>
  runCommand(
    hre,
    args,
    (platform) => showKeys(platform, args.wallet),
    (r) =>
      table([
        { key: `entity key of ${r.wallet}`, version: r.entityKey?.version, "public key": r.entityKey?.publicKey },
        { key: "regulator's view key", version: r.viewKey?.version, "public key": r.viewKey?.publicKey },
      ]),
  ),
);
