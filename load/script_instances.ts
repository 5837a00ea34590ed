/**
 * One compiled copy of a k6 script per thread, instantiated once per VU.
 *
 * k6 gives every VU its own instance of the script module (module-level variables are per VU).
 * Importing the script once per VU (`?vu=N`) does that, but V8 then compiles, profiles and
 * optimises every VU's copy of every function on its own (64 TurboFan compiles of the default
 * function in a 15 s run with 64 VUs), and the copies run in slower tiers for longer: compiling
 * once per thread measured 8.9% more iterations/s on one thread and 4.8% more with two workers
 * (the README's benchmark section has the figures). Here the script is transpiled (sucrase: TypeScript and ES module
 * syntax to a function body, line numbers kept) and evaluated once per thread as a function of
 * `exports` and `require`; each VU calls it, so each VU still runs the module body and gets its
 * own top-level bindings, while all VUs share one set of compiled functions.
 *
 * The modules the script imports are imported once per thread (as before) and reached through
 * live views of their namespaces. A script this cannot reproduce faithfully is imported per VU
 * as before: any that is not a `file:` URL, that cannot be read or transpiled, that uses
 * `import.meta`, dynamic `import()` or top-level `await`, or whose imports fail to load (so that
 * the error the user sees is Deno's own). Private to `load/`.
 *
 * @module
 */

import { Script } from "node:vm";

/** Instantiates the script: runs its module body and returns its exports. */
export type ScriptInstantiator = () => Record<string, unknown>;

type _ModuleBody = (
  exports: Record<string, unknown>,
  require: (specifier: string) => unknown,
  module: { exports: Record<string, unknown> },
) => void;

const _REQUIRE_RE = /\brequire\('([^']+)'\)/g;

/**
 * Compiles the script at `scriptUrl` once and imports what it imports (in the caller's async
 * context: call it inside the first VU's init context). Resolves with the instantiator, or with
 * null when the script must be imported per VU instead (see the module documentation).
 */
export async function compileScript(scriptUrl: string): Promise<ScriptInstantiator | null> {
  const code = await _transpile(scriptUrl);
  if (code === null) return null;
  let body: _ModuleBody;
  try {
    // The wrapper shares the first line, so that stack frames keep the script's URL and lines.
    body = new Script(`(function (exports, require, module) {${code}\n})`, { filename: scriptUrl })
      .runInThisContext() as _ModuleBody;
  } catch {
    return null; // Top-level await, or syntax only a module allows.
  }
  const modules = new Map<string, unknown>();
  try {
    for (const specifier of new Set(Array.from(code.matchAll(_REQUIRE_RE), (m) => m[1]))) {
      const resolved = /^\.{0,2}\//.test(specifier)
        ? new URL(specifier, scriptUrl).href
        : specifier;
      modules.set(specifier, _liveView(await import(resolved)));
    }
  } catch {
    return null; // Deno reports the failing import when the script is imported per VU.
  }
  const require = (specifier: string): unknown => {
    if (!modules.has(specifier)) {
      throw new Error(`Cannot find module "${specifier}" from ${scriptUrl}`);
    }
    return modules.get(specifier);
  };
  return () => {
    const exports: Record<string, unknown> = {};
    body(exports, require, { exports });
    return exports;
  };
}

async function _transpile(scriptUrl: string): Promise<string | null> {
  if (!scriptUrl.startsWith("file:")) return null;
  let source: string;
  try {
    source = await Deno.readTextFile(new URL(scriptUrl));
  } catch {
    return null;
  }
  let code: string;
  try {
    // Loaded here, so that only runs that instantiate a script pay for loading the transpiler.
    const { transform } = await import("sucrase");
    code = transform(source, {
      transforms: ["typescript", "imports"],
      filePath: new URL(scriptUrl).pathname,
      disableESTransforms: true,
      preserveDynamicImport: true,
    }).code;
  } catch {
    return null;
  }
  // Both would resolve against this module instead of the script: import the script itself.
  if (/\bimport\s*(\(|\.\s*meta\b)/.test(code)) return null;
  return code;
}

/**
 * A view of a module namespace as the transpiled script expects it: marked `__esModule` (so that
 * default imports read `default`), with one getter per export (so that bindings stay live).
 */
function _liveView(namespace: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  Object.defineProperty(view, "__esModule", { value: true });
  for (const key of Object.keys(namespace)) {
    Object.defineProperty(view, key, { enumerable: true, get: () => namespace[key] });
  }
  return view;
}
