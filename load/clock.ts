/**
 * The load engine's clock: milliseconds on `performance.now()`'s scale (the same origin, so the
 * two can be mixed), read about five times per request (iteration start, request start, request
 * written, first response byte, iteration end).
 *
 * `performance.now()` costs about 80 ns per call on the bench machine, most of it Deno's op around
 * the `clock_gettime(CLOCK_MONOTONIC)` it wraps (18 ns from C); that was 5% of a loopback
 * request's CPU. Where the call is cheaper and safe, {@linkcode nowMs} makes it directly: on Linux,
 * when FFI permission is already granted (`-A` or `--allow-ffi`; the clock never prompts for it),
 * through `Deno.dlopen` of glibc's `clock_gettime` into a 16-byte buffer this module owns (about
 * 30 ns; +3% requests/s in `npm run bench`). Everywhere else, and if anything about that call
 * fails, {@linkcode nowMs} is `performance.now()` itself. {@linkcode CLOCK_SOURCE} says which.
 *
 * Both read the same monotonic clock (Deno's `performance.now()` is `CLOCK_MONOTONIC` since the
 * thread's time origin): the offset between them is measured once per thread, to within the
 * shortest of several bracketing reads.
 *
 * @module
 */

/** `CLOCK_MONOTONIC` in Linux's `<time.h>`. */
const _CLOCK_MONOTONIC = 1;

/** Which source {@linkcode nowMs} reads. */
export type ClockSource = "clock_gettime" | "performance.now";

function _performanceNow(): number {
  return performance.now();
}

function _directClock(): (() => number) | null {
  if (Deno.build.os !== "linux") return null;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    const lib = Deno.dlopen("libc.so.6", {
      clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
    });
    // struct timespec on x86_64/aarch64 Linux: i64 tv_sec, i64 tv_nsec (little-endian; the
    // seconds of a monotonic clock fit the low 32 bits for 68 years of uptime).
    const timespec = new Uint8Array(16);
    const words = new Int32Array(timespec.buffer);
    const clockGettime = lib.symbols.clock_gettime;
    const raw = (): number => {
      clockGettime(_CLOCK_MONOTONIC, timespec);
      return words[0] * 1e3 + words[2] / 1e6;
    };
    if (clockGettime(_CLOCK_MONOTONIC, timespec) !== 0 || words[1] !== 0) {
      lib.close();
      return null;
    }
    // Offset to performance.now(): from the read bracketed most tightly by two direct reads.
    let offset = 0;
    let bracket = Infinity;
    for (let i = 0; i < 16; i++) {
      const before = raw();
      const perf = performance.now();
      const after = raw();
      if (after - before < bracket) {
        bracket = after - before;
        offset = perf - (before + after) / 2;
      }
    }
    // Agreement check: a wrong layout or clock would show as a jump against performance.now().
    const check = performance.now() - (raw() + offset);
    if (!(Math.abs(check) < 1)) {
      lib.close();
      return null;
    }
    // The library stays open for the life of the thread, like the clock.
    return () => {
      clockGettime(_CLOCK_MONOTONIC, timespec);
      return words[0] * 1e3 + words[2] / 1e6 + offset;
    };
  } catch {
    return null;
  }
}

const _direct = _directClock();

/** Which source {@linkcode nowMs} reads in this thread. */
export const CLOCK_SOURCE: ClockSource = _direct === null ? "performance.now" : "clock_gettime";

/**
 * The current time in milliseconds on `performance.now()`'s scale (monotonic, sub-microsecond
 * resolution); see the module documentation.
 */
export const nowMs: () => number = _direct ?? _performanceNow;
