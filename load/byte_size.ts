/**
 * Byte sizes as users write them on the command line (`--max-body 10MB`, `64MiB`, `1048576`).
 *
 * @module
 */

const _UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Parses a byte size: a number and an optional unit, `B`, decimal `KB`/`MB`/`GB` (powers of
 * 1000) or binary `KiB`/`MiB`/`GiB` (powers of 1024), case-insensitive, with optional spaces
 * between them. The result is rounded down to whole bytes.
 *
 * @throws {RangeError} when the text is not a size of at least one byte, e.g.
 *   `expected a size such as 10MB, 64MiB or 1048576 (bytes)`.
 */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = m ? _UNITS[m[2].toLowerCase()] : undefined;
  if (!m || factor === undefined) {
    throw new RangeError("expected a size such as 10MB, 64MiB or 1048576 (bytes)");
  }
  const bytes = Math.floor(Number(m[1]) * factor);
  if (!(bytes >= 1) || !Number.isSafeInteger(bytes)) {
    throw new RangeError("expected a size of at least 1 byte and at most 8 PiB");
  }
  return bytes;
}

/** Formats a byte count with the largest binary unit that divides it (`64 MiB`, `1500 B`). */
export function formatByteSize(bytes: number): string {
  for (const [unit, factor] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${unit}`;
  }
  return `${bytes} B`;
}
