import assert from "node:assert/strict";
import { compileScript } from "./script_instances.ts";

/** Writes `files` into a new temporary directory; returns the file URL of each. */
async function _files(files: Record<string, string>): Promise<Record<string, string>> {
  const dir = await Deno.makeTempDir({ prefix: "script_instances_test_" });
  const urls: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    urls[name] = new URL(`file://${dir}/${name}`).href;
  }
  return urls;
}

const _LIB = `
export let hits = 0;
export function hit(): number {
  return ++hits;
}
export default "lib default";
export const shared = { n: 0 };
`;

Deno.test("each instance runs the module body: top-level bindings are its own", async () => {
  const urls = await _files({
    "lib.ts": _LIB,
    "script.ts": `
interface Counter { n: number }
const mine: Counter = { n: 0 };
let calls = 0;
export const options = { vus: 2 };
export default function (): number {
  calls++;
  return ++mine.n * 10 + calls;
}
`,
  });
  const instantiate = await compileScript(urls["script.ts"]);
  assert.ok(instantiate, "a plain TypeScript script compiles once");
  const a = instantiate();
  const b = instantiate();
  const fa = a.default as () => number;
  const fb = b.default as () => number;
  assert.equal(fa(), 11);
  assert.equal(fa(), 22);
  assert.equal(fb(), 11, "the second instance starts from its own bindings");
  assert.deepEqual(a.options, { vus: 2 });
  assert.notEqual(a.options, b.options, "each instance evaluates its own top level");
});

Deno.test("imports: default, named, namespace and re-exports, with live bindings", async () => {
  const urls = await _files({
    "lib.ts": _LIB,
    "script.ts": `
import libDefault, { hit, hits, shared } from "./lib.ts";
import * as lib from "./lib.ts";
export { hit as bump } from "./lib.ts";
export * from "./lib.ts";
export function read(): [string, number, number, number] {
  return [libDefault, hits, lib.hits, shared.n];
}
export function call(): number {
  shared.n++;
  return hit();
}
`,
  });
  const instantiate = await compileScript(urls["script.ts"]);
  assert.ok(instantiate);
  const a = instantiate();
  const b = instantiate();
  assert.deepEqual((a.read as () => unknown)(), ["lib default", 0, 0, 0]);
  assert.equal((a.call as () => number)(), 1);
  // The imported module is one per thread, and its exported binding is read live.
  assert.deepEqual((b.read as () => unknown)(), ["lib default", 1, 1, 1]);
  assert.equal((b.bump as () => number)(), 2);
  assert.equal(b.hits, 2, "export * re-exports the live binding");
  assert.equal(typeof a.hit, "function");
});

Deno.test("stack frames name the script and keep its line numbers", async () => {
  const urls = await _files({
    "script.ts": `import { hit } from "./lib.ts";
type T = { a: number };

export default function (t: T): never {
  hit();
  throw new Error("line 6: " + t.a);
}
`,
    "lib.ts": _LIB,
  });
  const instantiate = await compileScript(urls["script.ts"]);
  assert.ok(instantiate);
  const fn = instantiate().default as (t: { a: number }) => never;
  const error = (() => {
    try {
      fn({ a: 1 });
    } catch (e) {
      return e as Error;
    }
  })();
  assert.ok(error);
  assert.match(error.stack ?? "", new RegExp(`${urls["script.ts"].replace(/\./g, "\\.")}:6:9`));
});

Deno.test("scripts that need real module semantics are imported per VU instead", async () => {
  const urls = await _files({
    "lib.ts": _LIB,
    "meta.ts": `export const where = import.meta.url;\nexport default function () {}\n`,
    "tla.ts": `const v = await Promise.resolve(1);\nexport default function () { return v; }\n`,
    "dynamic.ts": `export default async function () { await import("./lib.ts"); }\n`,
    "missing.ts": `import { x } from "./does_not_exist.ts";\nexport default function () { x(); }\n`,
    "syntax.ts": `export default function ( {\n`,
  });
  for (const name of ["meta.ts", "tla.ts", "dynamic.ts", "missing.ts", "syntax.ts"]) {
    assert.equal(await compileScript(urls[name]), null, name);
  }
  assert.equal(await compileScript("https://example.invalid/script.js"), null, "not a file: URL");
  assert.equal(await compileScript(urls["lib.ts"] + ".gone"), null, "unreadable");
});
