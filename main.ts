/**
 * smsgate-testkit CLI entry: conformance, load and the reference SMSGate server.
 *
 * @module
 */

import { Command, CommanderError } from "@commander-js/extra-typings";
import { ExitCode, UsageError } from "./cli/errors.ts";
import { serveCommand } from "./cli/serve.ts";
import pkg from "./package.json" with { type: "json" };

/** Builds the program with every command. */
export function buildProgram(): Command {
  const program = new Command("smsgate-testkit")
    .description("Conformance suites, load generator and reference server for SMSGate deployments")
    .version(pkg.version, "-V, --version")
    .option("--verbose", "show stack traces of unexpected errors")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  // Until the check command exists, running with no command serves the reference server.
  program.addCommand(serveCommand().exitOverride(), { isDefault: true });
  return program;
}

/** Runs the CLI with `args`; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(args, { from: "user" });
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" || e.code === "commander.version" ||
        e.code === "commander.help"
      ) {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      return ExitCode.usage;
    }
    const verbose = args.includes("--verbose");
    console.error(`error: ${(e as Error).message ?? String(e)}`);
    if (verbose) console.error((e as Error).stack);
    return ExitCode.unreachable;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
