/**
 * Terminal helpers shared by commands: color only on a TTY without NO_COLOR, warnings on stderr.
 *
 * @module
 */

/** Whether stdout should get ANSI colors (a TTY, and NO_COLOR unset or empty). */
export function useColor(): boolean {
  const noColor = Deno.env.get("NO_COLOR");
  return Deno.stdout.isTerminal() && (noColor === undefined || noColor === "");
}

/** Prints a warning line on stderr. */
export function warn(message: string): void {
  console.error(`warning: ${message}`);
}
