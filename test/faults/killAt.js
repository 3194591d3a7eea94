/**
 * Preloaded into an `ignition deploy` process by the kill test (NODE_OPTIONS=--require): it kills its own process
 * with SIGKILL at one chosen point of the deployment, so that each kind of interruption is reached every run, not
 * only when a timer happens to land there. BILL_DVP_FAULT_KILL names the point:
 *
 *   after:<message type>:<future id>    right after the journal line is on disk (O_DSYNC, as Ignition writes it)
 *   before:<message type>:<future id>   just before that line is written (e.g. TRANSACTION_SEND: the transaction has
 *                                        reached the node, the journal does not know its hash)
 *   addresses:<future id>               while deployed_addresses.json is rewritten to add the future: after the file
 *                                        was truncated, before its new content is written
 *
 * Nothing else in the process is changed. Plain CommonJS: it is loaded before ts-node.
 */
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

// Mocha loads every file under test/ in `npm test`: without BILL_DVP_FAULT_KILL this file does nothing.
if (process.env.BILL_DVP_FAULT_KILL) install(process.env.BILL_DVP_FAULT_KILL);

function install(point) {
  const [when, type, futureId] = point.startsWith("addresses:")
    ? ["addresses", "", point.slice("addresses:".length)]
    : point.split(":");
  if (!["after", "before", "addresses"].includes(when) || !futureId) {
    throw new Error(`BILL_DVP_FAULT_KILL: "${point}" is not after|before:<TYPE>:<futureId> or addresses:<futureId>`);
  }

  const die = () => process.kill(process.pid, "SIGKILL");
  const pathsByFd = new Map();

  const openSync = fs.openSync;
  fs.openSync = function (file, ...rest) {
    const fd = openSync.call(this, file, ...rest);
    if (typeof file === "string") pathsByFd.set(fd, file);
    return fd;
  };

  const isTarget = (text) => {
    try {
      const message = JSON.parse(text);
      return message.type === type && message.futureId === futureId;
    } catch {
      return false;
    }
  };

  // Ignition's FileJournal appends each message with writeFileSync(fd, "\n" + JSON) on an fd opened with O_DSYNC.
  const writeFileSync = fs.writeFileSync;
  fs.writeFileSync = function (file, data, ...rest) {
    const target =
      when !== "addresses" &&
      typeof file === "number" &&
      path.basename(pathsByFd.get(file) ?? "") === "journal.jsonl" &&
      typeof data === "string" &&
      isTarget(data.trim());
    if (target && when === "before") die();
    const result = writeFileSync.call(this, file, data, ...rest);
    if (target) die();
    return result;
  };

  // The address file is rewritten whole through fs-extra (graceful-fs → fs.writeFile) for each finished contract.
  const writeFile = fs.writeFile;
  fs.writeFile = function (file, data, ...rest) {
    if (
      when === "addresses" &&
      typeof file === "string" &&
      path.basename(file) === "deployed_addresses.json" &&
      String(data).includes(`"${futureId}"`)
    ) {
      fs.closeSync(openSync(file, "w")); // what writeFile does first: truncate
      die();
    }
    return writeFile.call(this, file, data, ...rest);
  };
}
