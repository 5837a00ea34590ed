import assert from "node:assert/strict";
import { formatPath, readYamlFile } from "./_yaml_file.ts";

Deno.test("readYamlFile() reads YAML and JSON and locates paths at file:line:col", () => {
  const yaml = readYamlFile("a:\n  b:\n    - 1\n    - x: 2\n", "f.yaml");
  assert.deepEqual(yaml.problems, []);
  assert.deepEqual(yaml.data, { a: { b: [1, { x: 2 }] } });
  assert.equal(yaml.at(["a", "b", 1, "x"]), "f.yaml:4:10");
  // A path that goes past the document points at its deepest existing node.
  assert.equal(yaml.at(["a", "b", 7, "y"]), "f.yaml:3:5");
  assert.equal(yaml.at([]), "f.yaml:1:1");
  const json = readYamlFile('{"a": [true, {"b": null}]}', "f.json");
  assert.deepEqual(json.data, { a: [true, { b: null }] });
  assert.equal(json.at(["a", 1, "b"]), "f.json:1:20");
});

Deno.test("readYamlFile() reports syntax errors, keys with no JSON form and alias bombs", () => {
  assert.match(readYamlFile("a: [1, 2\n", "f.yaml").problems[0], /^f\.yaml:\d+:\d+: /);
  assert.deepEqual(readYamlFile("a: 1\na: 2\n", "f.yaml").problems.length, 1);
  assert.deepEqual(readYamlFile("? [k]\n: 1\n", "f.yaml").problems, [
    "f.yaml:1:3: a key must be a plain value, not a mapping or a list",
  ]);
  const bomb = "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
    "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
  const exploded = readYamlFile(bomb, "f.yaml");
  assert.equal(exploded.data, undefined);
  assert.match(exploded.problems[0], /^f\.yaml: .*alias/i);
});

Deno.test("formatPath() writes schema paths as users read them", () => {
  assert.equal(formatPath(["checks", 2, "expect", "status"]), "checks[2].expect.status");
  assert.equal(formatPath([]), "(root)");
});
