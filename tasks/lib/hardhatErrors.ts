/**
 * Hardhat's own errors on the command line — a parameter it does not know, a missing value, an unknown task or
 * network — in one line. Hardhat 2 reports them from its CLI, before and outside any task, as "Error HHnnn: …"
 * followed by a blank line and either a link or (on a machine without a display, as it counts CI) the whole stack
 * trace. Its CLI offers no hook for that report, so the project's config installs a filter on `console.error` that
 * prints the same error as one line with the fix and drops the two things Hardhat prints after it. `--show-stack-traces` and
 * `--verbose` keep Hardhat's own report.
 */
import util from "node:util";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Hardhat's options that take a value, before the scope and task names. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(["--network", "--config", "--tsconfig", "--max-memory"]);

/** The scope and task names in Hardhat's command line (`argv` without node and the hardhat binary). */
export function taskWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith("--")) {
      if (words.length > 0) break;
      if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    words.push(arg);
    if (words.length === 2) break;
  }
  return words;
}

/**
 * The one line for Hardhat's error `code` with `message` (its first line), run as `argv` (without node and the
 * hardhat binary): the message, the code, and where to look.
 */
export function hardhatErrorLine(code: string, message: string, argv: string[]): string {
  const text = message.split("\n")[0].trim().replace(/\.$/, "");
  const words = taskWords(argv);
  const help = `npx hardhat help${words.length > 0 ? ` ${words.join(" ")}` : ""}`;
  switch (code) {
    case "HH301":
    case "HH304":
    case "HH305":
    case "HH306":
    case "HH307":
    case "HH308":
    case "HH309":
    case "HH310":
      return `${text} (${code}): ${help} lists the task's options`;
    case "HH303":
      return `${text} (${code}): npx hardhat help lists the tasks`;
    case "HH314":
      return `${text} (${code}): npx hardhat help lists the scopes and tasks`;
    case "HH315":
      return `${text} (${code}): npx hardhat help ${words[0] ?? ""} lists its tasks`.replace("help  ", "help ");
    case "HH100":
      return `${text} (${code}): use --network localhost for a local node, or a network defined in hardhat.config.ts`;
    default:
      return `${text} (${code})`;
  }
}

/** Installs the filter (once, in the Hardhat CLI only, unless stack traces were asked for). */
export function installOneLineHardhatErrors(argv: string[] = process.argv): void {
  const cli = /[/\\]hardhat$|[/\\]internal[/\\]cli[/\\](bootstrap|cli)\.js$/.test(argv[1] ?? "");
  if (!cli || argv.includes("--show-stack-traces") || argv.includes("--verbose")) return;
  const error = console.error.bind(console);
  const log = console.log.bind(console);
  // After its error line Hardhat prints a blank line, then exactly one more thing on stderr: the link to the error's
  // page, or the stack trace. Those two are dropped; anything else passes.
  let blank = false;
  let after = false;
  console.error = (...args: unknown[]) => {
    if (after) {
      after = false;
      return;
    }
    const match = /^Error (HH\d+): ([\s\S]*)$/.exec(util.format(...args).replace(ANSI, ""));
    if (!match) return error(...args);
    blank = after = true;
    error(`error: ${hardhatErrorLine(match[1], match[2], argv.slice(2))}`);
  };
  console.log = (...args: unknown[]) => {
    if (blank && args.length === 1 && args[0] === "") {
      blank = false;
      return;
    }
    log(...args);
  };
}
