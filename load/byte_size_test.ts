import assert from "node:assert/strict";
import { formatByteSize, parseByteSize } from "./byte_size.ts";

Deno.test("parseByteSize() reads bytes, decimal and binary units", () => {
  assert.equal(parseByteSize("1048576"), 1048576);
  assert.equal(parseByteSize("512B"), 512);
  assert.equal(parseByteSize("10MB"), 10_000_000);
  assert.equal(parseByteSize("10 mb"), 10_000_000);
  assert.equal(parseByteSize("64MiB"), 64 * 1024 * 1024);
  assert.equal(parseByteSize("1.5KiB"), 1536);
  assert.equal(parseByteSize(" 2 GiB "), 2 * 1024 ** 3);
  assert.equal(parseByteSize("4kb"), 4000);
});

Deno.test("parseByteSize() rejects other forms with the expected form", () => {
  for (
    const bad of ["", "MB", "12XB", "-1MB", "0", "0.5", "1e3", "ten", "1 M B", "9999999999 GiB"]
  ) {
    assert.throws(() => parseByteSize(bad), RangeError, bad);
  }
  assert.throws(() => parseByteSize("12XB"), /expected a size such as 10MB, 64MiB or 1048576/);
});

Deno.test("formatByteSize() picks the largest binary unit that divides the size", () => {
  assert.equal(formatByteSize(64 * 1024 * 1024), "64 MiB");
  assert.equal(formatByteSize(2048), "2 KiB");
  assert.equal(formatByteSize(1500), "1500 B");
  assert.equal(formatByteSize(3 * 1024 ** 3), "3 GiB");
});
