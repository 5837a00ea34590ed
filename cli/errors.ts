/**
 * Exit codes shared by every command (design brief section 2) and the usage error type.
 *
 * @module
 */

/** Exit codes: one table for every command. */
export const ExitCode = {
  /** Everything passed. */
  ok: 0,
  /** At least one conformance check failed. */
  checkFailed: 1,
  /** Usage or configuration error (bad flag, bad file, invalid suite). */
  usage: 2,
  /** The target could not be reached or the run could not complete. */
  unreachable: 3,
  /** A load threshold failed (k6's code). */
  thresholdFailed: 99,
} as const;

/** A usage or configuration error: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  /** Creates a usage error with a message that says what to do. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
