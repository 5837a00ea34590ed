/**
 * The result document of a conformance run: versioned, validated by the exported zod schema.
 * Reporters (reports/) render it; `report FILE.json` re-renders a saved one. Secrets never
 * reach this document: transcripts are redacted before they are recorded.
 *
 * @module
 */

import { z } from "zod";

/** Status of one check. */
export const CheckStatusSchema = z.enum(["pass", "fail", "skip", "error"]);
/** Status of one check. */
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** One recorded HTTP exchange, secrets redacted. */
export const ExchangeSchema = z.object({
  /** Step label, e.g. "step 2: request devices.list". */
  step: z.string(),
  request: z.object({
    method: z.string(),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string().optional(),
  }),
  response: z.object({
    status: z.number(),
    headers: z.record(z.string(), z.string()),
    body: z.string().optional(),
  }).optional(),
  /** Transport error when no response arrived. */
  error: z.string().optional(),
  durationMs: z.number(),
});
/** One recorded HTTP exchange. */
export type Exchange = z.infer<typeof ExchangeSchema>;

/** The result of one check. */
export const CheckResultSchema = z.object({
  id: z.string(),
  suite: z.string(),
  title: z.string(),
  requirements: z.array(z.string()),
  profile: z.string(),
  status: CheckStatusSchema,
  durationMs: z.number(),
  /** Why it failed, errored or was skipped. */
  message: z.string().optional(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  /** A hint added to failures, e.g. that the profile may be wrong. */
  hint: z.string().optional(),
  /** Requests and responses of the check, redacted (all of them, or up to the failing one). */
  transcript: z.array(ExchangeSchema),
  /**
   * Set when the check failed (or errored) and the baseline lists it: an expected failure,
   * not counted against the run. `status` still says what happened.
   */
  expectedFailure: z.literal(true).optional(),
  /** The baseline's reason, when the baseline lists this check (failing or not). */
  baselineReason: z.string().optional(),
});
/** The result of one check. */
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** A requirement and how the run covered it. */
export const RequirementCoverageSchema = z.object({
  id: z.string(),
  statement: z.string(),
  source: z.string(),
  link: z.string(),
  /** Checks that exercised it in this run (not skipped). */
  checks: z.array(z.string()),
  /**
   * pass / fail: exercised by checks of this run; not-applicable: every check of it was skipped
   * because it does not apply to this deployment; uncovered: nothing exercised it (no check,
   * or checks skipped for want of --jwt-secret / --allow-send, or not selected).
   */
  status: z.enum(["pass", "fail", "uncovered", "not-applicable"]),
});
/** A requirement and how the run covered it. */
export type RequirementCoverage = z.infer<typeof RequirementCoverageSchema>;

/**
 * How the run compared with a baseline of expected failures (`check --baseline FILE`). Only
 * entries that apply to this run's profile count. The run fails on `unexpected` (a new failure)
 * and on `fixed` (a listed check that passes now: remove it from the baseline).
 */
export const BaselineOutcomeSchema = z.object({
  /** The baseline file as given on the command line. */
  file: z.string(),
  /** Listed checks that failed (or errored), as expected. */
  expectedFailures: z.array(z.string()),
  /** Listed checks that passed: the baseline should no longer list them. */
  fixed: z.array(z.string()),
  /** Failing (or erroring) checks the baseline does not list. */
  unexpected: z.array(z.string()),
});
/** How the run compared with a baseline of expected failures. */
export type BaselineOutcome = z.infer<typeof BaselineOutcomeSchema>;

/** Profile detection outcome. */
export const DetectionSchema = z.object({
  profile: z.string().nullable(),
  evidence: z.array(z.string()),
});
/** Profile detection outcome. */
export type Detection = z.infer<typeof DetectionSchema>;

/** The whole conformance result document. */
export const ConformanceResultSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal("conformance"),
  tool: z.object({ name: z.string(), version: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  target: z.object({
    /** API root, credentials removed. */
    url: z.string(),
    embedded: z.boolean(),
    profile: z.string(),
    profileSource: z.enum(["explicit", "auto"]),
    detection: DetectionSchema.optional(),
  }),
  /** Set when the target could not be reached at all: every check is an error (exit 3). */
  unreachable: z.string().optional(),
  summary: z.object({
    total: z.number(),
    passed: z.number(),
    failed: z.number(),
    skipped: z.number(),
    errors: z.number(),
  }),
  checks: z.array(CheckResultSchema),
  requirements: z.array(RequirementCoverageSchema),
  /** Present when the run was compared with a baseline (`check --baseline FILE`). */
  baseline: BaselineOutcomeSchema.optional(),
});
/** The whole conformance result document. */
export type ConformanceResult = z.infer<typeof ConformanceResultSchema>;
