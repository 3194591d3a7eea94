/**
 * The TypeScript transpiler of `npm test` (`hardhat --tsconfig test/tsconfig.json test`: its mocha workers) and of
 * the `hardhat` processes the end-to-end tests start: a ts-node `transpiler` (named in test/tsconfig.json) that
 * runs TypeScript's own `transpileModule`, as ts-node's transpile-only mode does, and keeps each file's output in
 * cache/ts-node/, one entry per file, with a hash of the compiler version, the options and the source. A task
 * process spends half its CPU time transpiling hardhat.config.ts and tasks/, a worker seconds on the test files
 * and typechain-types; with the cache each file is transpiled once until it changes, and a changed file is never
 * served stale. Plain CommonJS: ts-node loads it before it can load TypeScript.
 */
/* global require, exports, __dirname, process */
/* eslint-disable @typescript-eslint/no-require-imports */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const sha256 = (...parts) => crypto.createHash("sha256").update(parts.join("\0")).digest("hex");

exports.create = function create({ service }) {
  const ts = require(service.projectLocalResolveHelper("typescript", true));
  const compilerOptions = service.config.options;
  const dir = path.join(__dirname, "..", "cache", "ts-node");
  const salt = JSON.stringify([ts.version, compilerOptions]);
  return {
    transpile(input, { fileName }) {
      const file = path.join(dir, `${sha256(fileName)}.json`);
      const hash = sha256(salt, input);
      try {
        const cached = JSON.parse(fs.readFileSync(file, "utf8"));
        if (cached.hash === hash) return { outputText: cached.outputText, sourceMapText: cached.sourceMapText };
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
      fs.writeFileSync(partial, JSON.stringify({ hash, outputText, sourceMapText }));
      fs.renameSync(partial, file);
      return { outputText, sourceMapText };
    },
  };
};
