/**
 * The suite registry: every built-in check, validated by the same schema that loads user suites.
 * Adding a suite is one file under suites/checks/ plus one line here.
 *
 * @module
 */

import { type Check, type CheckInput, CheckSchema } from "./model.ts";
import { findRequirement } from "./requirements.ts";
import { checks as issuance } from "./checks/issuance.ts";
import { checks as scopes } from "./checks/scopes.ts";
import { checks as expiry } from "./checks/expiry.ts";
import { checks as unavailable } from "./checks/unavailable.ts";
import { checks as revocation } from "./checks/revocation.ts";
import { checks as refresh } from "./checks/refresh.ts";
import { checks as basic } from "./checks/basic.ts";
import { checks as hardening } from "./checks/hardening.ts";

const BUILT_IN: readonly CheckInput[] = [
  ...issuance,
  ...scopes,
  ...expiry,
  ...unavailable,
  ...revocation,
  ...refresh,
  ...basic,
  ...hardening,
];

/**
 * Validates checks: schema, unique ids, known requirement ids. Throws an Error listing every
 * problem, each with the check's position (`where` names the source, e.g. a file).
 */
export function validateChecks(input: readonly unknown[], where = "built-in suites"): Check[] {
  const problems: string[] = [];
  const out: Check[] = [];
  const seen = new Set<string>();
  input.forEach((raw, i) => {
    const parsed = CheckSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`checks[${i}].${issue.path.join(".")}: ${issue.message}`);
      }
      return;
    }
    const c = parsed.data;
    if (seen.has(c.id)) problems.push(`checks[${i}].id: duplicate check id "${c.id}"`);
    seen.add(c.id);
    for (const r of c.requirements) {
      if (!findRequirement(r)) {
        problems.push(`checks[${i}].requirements: unknown requirement "${r}"`);
      }
    }
    out.push(c);
  });
  if (problems.length) {
    throw new Error(`Invalid checks in ${where}:\n  ${problems.join("\n  ")}`);
  }
  return out;
}

/** Every built-in check, validated. */
export const ALL_CHECKS: readonly Check[] = validateChecks(BUILT_IN);

/** Names of the built-in suites, in run order. */
export const SUITE_NAMES: readonly string[] = [...new Set(ALL_CHECKS.map((c) => c.suite))];

/** The checks of the named suites (all when `names` is empty); throws on an unknown name. */
export function selectChecks(
  names: readonly string[],
  checks: readonly Check[] = ALL_CHECKS,
): Check[] {
  const known = new Set(checks.map((c) => c.suite));
  for (const n of names) {
    if (!known.has(n)) {
      throw new Error(`Unknown suite "${n}": expected one of ${[...known].join(", ")}`);
    }
  }
  return names.length ? checks.filter((c) => names.includes(c.suite)) : [...checks];
}
