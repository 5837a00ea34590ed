/**
 * The live progress of a load run: a k6-like status line, redrawn in place on a TTY and printed
 * as plain periodic lines otherwise.
 *
 * @module
 */

/** What the runner reports while it runs. */
export interface ProgressSnapshot {
  /** What runs now; `done` is the last snapshot, after the run. */
  phase: "setup" | "running" | "stopping" | "teardown" | "done";
  /** Time since the run started, in ms. */
  elapsedMs: number;
  /** Time at which the scenarios' regular parts end (from the start of the scenarios), in ms. */
  plannedMs: number;
  /** Time since the scenarios started, in ms (0 before). */
  scenariosElapsedMs: number;
  /** VUs held by scenarios now. */
  vusActive: number;
  /** VUs initialised so far. */
  vusMax: number;
  /** Iterations completed. */
  iterations: number;
  /** Iterations interrupted. */
  interrupted: number;
  /** HTTP requests made. */
  httpReqs: number;
  /** HTTP requests per second since the previous snapshot. */
  reqRate: number;
  /** Dropped iterations. */
  dropped: number;
}

function _clock(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  const m = Math.floor(total / 60);
  const s = total - m * 60;
  return `${m}m${s.toFixed(1).padStart(4, "0")}s`;
}

/** A status line such as `running (0m05.0s), 64/64 VUs, 1234 complete and 0 interrupted iterations, 2469 reqs/s [====>   ] 17%`. */
export function renderProgressLine(p: ProgressSnapshot): string {
  const parts = [
    `${p.phase} (${_clock(p.elapsedMs)})`,
    `${p.vusActive}/${p.vusMax} VUs`,
    `${p.iterations} complete and ${p.interrupted} interrupted iterations`,
  ];
  if (p.dropped > 0) parts.push(`${p.dropped} dropped`);
  parts.push(`${Math.round(p.reqRate)} reqs/s`);
  let line = parts.join(", ");
  if (p.plannedMs > 0 && p.phase !== "setup") {
    const ratio = Math.min(1, p.scenariosElapsedMs / p.plannedMs);
    const width = 20;
    const filled = Math.round(ratio * width);
    const bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") +
      " ".repeat(width - filled);
    line += ` [${bar}] ${Math.floor(ratio * 100)}%`;
  }
  return line;
}

/** Writes progress lines: redrawn in place on a TTY, one plain line every `plainEveryMs` otherwise. */
export class ProgressPrinter {
  readonly #write: (text: string) => void;
  readonly #tty: boolean;
  readonly #plainEveryMs: number;
  #lastPlain = -Infinity;
  #drawn = false;

  /** Creates a printer writing raw text with `write`. */
  constructor(write: (text: string) => void, tty: boolean, plainEveryMs = 10_000) {
    this.#write = write;
    this.#tty = tty;
    this.#plainEveryMs = plainEveryMs;
  }

  /** Shows a snapshot; the `done` snapshot is always printed as a line of its own. */
  update(p: ProgressSnapshot): void {
    const line = renderProgressLine(p);
    if (p.phase === "done") {
      this.done();
      this.#write(`${line}\n`);
    } else if (this.#tty) {
      this.#write(`\r\x1b[2K${line}`);
      this.#drawn = true;
    } else if (p.elapsedMs - this.#lastPlain >= this.#plainEveryMs) {
      this.#lastPlain = p.elapsedMs;
      this.#write(`${line}\n`);
    }
  }

  /** Clears the live line (before other output). */
  done(): void {
    if (this.#tty && this.#drawn) this.#write("\r\x1b[2K");
    this.#drawn = false;
  }
}
