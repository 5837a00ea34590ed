/**
 * Deno's internal `core` object (`Deno[Deno.internal].core`), through which the hot paths reach
 * primitives the public API wraps at a measurable cost (resource reads and writes in
 * load/http_client.ts, async-context frames in load/k6/_context.ts). Callers check that the
 * functions they need are there and fall back to the public API otherwise. Private to `load/`.
 *
 * @module
 */

/** The internal `core` object, or null when not on Deno or when its internals moved. */
export function denoCore(): Readonly<Record<string | symbol, unknown>> | null {
  try {
    const internal = (Deno as unknown as { internal?: symbol }).internal;
    if (internal === undefined) return null;
    const holder = (Deno as unknown as Record<symbol, { core?: unknown } | undefined>)[internal];
    const core = holder?.core;
    return typeof core === "object" && core !== null
      ? core as Readonly<Record<string | symbol, unknown>>
      : null;
  } catch {
    return null;
  }
}
