/**
 * The TypeScript transpiler of the `hardhat` processes the end-to-end tests start (a ts-node `transpiler`, named in
 * test/e2e/tsconfig.json): TypeScript's own `transpileModule`, as ts-node's transpile-only mode runs it, with each
 * output kept in cache/ts-node/ under a hash of the compiler version, the options, the file name and the source.
 * Transpiling hardhat.config.ts and tasks/ is half the CPU time of a task process; with the cache the dozens of
 * processes of a test run transpile each file once. A changed source has a new hash, so it is never served stale.
 * Plain CommonJS: ts-node loads it before it can load TypeScript.
 */
/* global require, exports, __dirname, process */
/* eslint-disable @typescript-eslint/no-require-imports */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

exports.create = function create({ service }) {
  const ts = require(service.projectLocalResolveHelper("typescript", true));
  const compilerOptions = service.config.options;
  const dir = path.join(__dirname, "..", "..", "cache", "ts-node");
  const salt = JSON.stringify([ts.version, compilerOptions]);
  return {
    transpile(input, { fileName }) {
      const key = crypto.createHash("sha256").update(salt).update(fileName).update("\0").update(input).digest("hex");
      const file = path.join(dir, `${key}.json`);
      try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
      } catch {
        // Not transpiled yet.
      }
      const { outputText, sourceMapText, diagnostics } = ts.transpileModule(input, {
        fileName,
        compilerOptions,
        reportDiagnostics: true,
      });
      // A syntax error is reported by ts-node, as without the cache, and never kept.
      if (diagnostics !== undefined && diagnostics.length > 0) return { outputText, sourceMapText, diagnostics };
      fs.mkdirSync(dir, { recursive: true });
      const partial = `${file}.${process.pid}`;
      fs.writeFileSync(partial, JSON.stringify({ outputText, sourceMapText }));
      fs.renameSync(partial, file);
      return { outputText, sourceMapText };
    },
  };
};
