/**
 * smsgate-testkit CLI entry: conformance, load and the reference SMSGate server.
 *
 * @module
 */

import { Command, CommanderError } from "@commander-js/extra-typings";
import { checkCommand } from "./cli/check.ts";
import { ExitCode, UsageError } from "./cli/errors.ts";
import { listCommand } from "./cli/list.ts";
import { loadCommand } from "./cli/load.ts";
import { reportCommand } from "./cli/report.ts";
import { serveCommand } from "./cli/serve.ts";
import { UnreachableError } from "./suites/detect.ts";
import pkg from "./package.json" with { type: "json" };

/** Builds the program; commands report their exit code through `onExit`. */
export function buildProgram(onExit: (code: number) => void) {
  const program = new Command("smsgate-testkit")
    .description("Conformance suites, load generator and reference server for SMSGate deployments")
    .version(pkg.version, "-V, --version")
    .option("--verbose", "show stack traces of unexpected errors")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  // Running with no command checks the embedded reference server (what `npm start` does).
  program.addCommand(checkCommand(onExit).exitOverride(), { isDefault: true });
  program.addCommand(loadCommand(onExit).exitOverride());
  program.addCommand(listCommand().exitOverride());
  program.addCommand(reportCommand().exitOverride());
  program.addCommand(serveCommand().exitOverride());
  return program;
}

/** Runs the CLI with `args`; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram((c) => code = c);
  try {
    await program.parseAsync(args, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      const ok = ["commander.helpDisplayed", "commander.version", "commander.help"];
      return ok.includes(e.code) ? ExitCode.ok : ExitCode.usage;
    }
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      return ExitCode.usage;
    }
    if (e instanceof UnreachableError) {
      console.error(`error: ${e.message}`);
      return ExitCode.unreachable;
    }
    console.error(`error: ${(e as Error).message ?? String(e)}`);
    if (args.includes("--verbose")) console.error((e as Error).stack);
    return ExitCode.unreachable;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
