/**
 * k6's `ramping-vus` executor: a variable number of looping VUs following stages (linear ramps
 * from `startVUs`). VUs are added and removed at the exact times the linear ramp crosses each
 * whole number (k6's execution steps: during a ramp-up the count is the ramp value rounded
 * down, during a ramp-down rounded up). A removed VU finishes its iteration, and is aborted if it
 * still runs `gracefulRampDown` later; VUs still running at the end of the last stage get
 * gracefulStop.
 *
 * @module
 */

import { formatDuration } from "../duration.ts";
import {
  baseInfo,
  type BaseScenarioConfig,
  ConfigReader,
  maxTarget,
  type Stage,
  type StageConfig,
  stagesDurationMs,
} from "./_config.ts";
import { ScenarioRun } from "./_scenario_run.ts";
import { type ExecutorShare, type Segment, stripe, stripedNumbers } from "./segment.ts";
import {
  type BaseOptions,
  type ExecutionHost,
  type ExecutorDefinition,
  type ExecutorResult,
  OptionsExecutor,
  type Vu,
} from "./types.ts";

/** A `ramping-vus` scenario as written in a k6 script. */
export interface RampingVusConfig extends BaseScenarioConfig {
  /** VUs at the start (default 1). */
  startVUs?: number;
  /** Linear ramps; `target` is the VU count at the end of each stage (at least one). */
  stages: StageConfig[];
  /** Time a VU removed by a ramp-down gets to finish its iteration (default "30s"). */
  gracefulRampDown?: string | number;
}

/** Normalised `ramping-vus` options. */
export interface RampingVusOptions extends BaseOptions {
  /** VUs at the start. */
  startVUs: number;
  /** The stages (durations in ms). */
  stages: Stage[];
  /** gracefulRampDown in ms. */
  gracefulRampDownMs: number;
}

/** From `offsetMs` after the start on, `vus` VUs are scheduled. */
export interface VuStep {
  /** Offset from the scenario start in ms. */
  offsetMs: number;
  /** Number of scheduled VUs from then on. */
  vus: number;
}

const FIELDS = ["startVUs", "stages", "gracefulRampDown"] as const;
const DEFAULT_GRACEFUL_RAMP_DOWN_MS = 30_000;
/** k6's sanity limit for VU counts. */
const MAX_CONCURRENT_VUS = 100_000_000;

function _read(scenario: string, raw: Readonly<Record<string, unknown>>) {
  const reader = new ConfigReader(scenario, rampingVusExecutor.name, raw, FIELDS);
  const base = reader.base();
  const startVUs = reader.integer("startVUs", 1);
  const gracefulRampDownMs = reader.duration("gracefulRampDown", DEFAULT_GRACEFUL_RAMP_DOWN_MS);
  const stages = reader.stages();
  if (startVUs !== undefined && startVUs < 0) {
    reader.error("the number of start VUs can't be negative", "startVUs", startVUs);
  }
  if (startVUs !== undefined && startVUs > MAX_CONCURRENT_VUS) {
    reader.error(`the startVUs exceed max limit of ${MAX_CONCURRENT_VUS}`, "startVUs", startVUs);
  }
  stages.forEach((stage, index) => {
    if (stage.target > MAX_CONCURRENT_VUS) {
      reader.error(
        `target for stage ${index + 1} exceeds max limit of ${MAX_CONCURRENT_VUS}`,
        `stages[${index}].target`,
        stage.target,
      );
    }
  });
  if (stages.length > 0 && maxTarget(startVUs ?? 1, stages) <= 0) {
    reader.error(
      "either startVUs or one of the stages' target values must be greater than 0",
      "stages",
    );
  }
  if (gracefulRampDownMs !== undefined && gracefulRampDownMs < 0) {
    reader.error(
      "the gracefulRampDown can't be negative",
      "gracefulRampDown",
      raw.gracefulRampDown,
    );
  }
  const options: RampingVusOptions = {
    ...base,
    startVUs: startVUs ?? 1,
    stages,
    gracefulRampDownMs: gracefulRampDownMs ?? DEFAULT_GRACEFUL_RAMP_DOWN_MS,
  };
  return { reader, options };
}

/**
 * The VU schedule of a ramping-vus scenario (k6's raw execution steps, ending with 0 VUs at the
 * end of the last stage): during a ramp from `a` to `b` over `[t0, t1]`, the VU count becomes
 * `n` when the linear ramp reaches `n` going up, and drops to `n - 1` when it reaches `n - 1`
 * going down. A 0-duration stage jumps at once.
 */
export function rampingVuSteps(startVUs: number, stages: readonly Stage[]): VuStep[] {
  const steps: VuStep[] = [{ offsetMs: 0, vus: startVUs }];
  const add = (offsetMs: number, vus: number) => {
    if (steps[steps.length - 1].vus !== vus) steps.push({ offsetMs, vus });
  };
  let from = startVUs;
  let end = 0;
  for (const { durationMs, target } of stages) {
    const begin = end;
    end += durationMs;
    if (target === from) continue;
    if (durationMs === 0) add(end, target);
    else if (target > from) {
      for (let n = from + 1; n <= target; n++) {
        add(begin + (durationMs * (n - from)) / (target - from), n);
      }
    } else {
      for (let n = from; n > target; n--) {
        add(begin + (durationMs * (from - n + 1)) / (from - target), n - 1);
      }
    }
    from = target;
  }
  add(end, 0);
  return steps;
}

type _SlotState = "stopped" | "running" | "stopping";

/** One of the scenario's VU positions (k6's vuHandle). */
class _Slot {
  state: _SlotState = "stopped";
  /** Aborted when gracefulRampDown runs out; replaced before the slot's next iteration. */
  controller = new AbortController();
  /** `controller`'s signal linked to the run's hard stop (made once per controller). */
  signal: AbortSignal | undefined = undefined;
  deadline: unknown = undefined;
}

/** Runs a `ramping-vus` scenario. */
export class RampingVus extends OptionsExecutor<RampingVusOptions> {
  /** The VU schedule; see {@linkcode rampingVuSteps}. */
  readonly steps: readonly VuStep[];

  /** Creates the executor from validated options (use the registry entry to validate). */
  constructor(options: RampingVusOptions) {
    super(options);
    this.steps = rampingVuSteps(options.startVUs, options.stages);
  }

  /** Its striped share of the start VUs and of every stage's target. */
  segment(part: Segment): ExecutorShare | null {
    const { startVUs, stages } = this.options;
    const share: RampingVusOptions = {
      ...this.options,
      startVUs: stripe(startVUs, part),
      stages: stages.map((stage) => ({ ...stage, target: stripe(stage.target, part) })),
    };
    if (maxTarget(share.startVUs, share.stages) === 0) return null;
    return { executor: new RampingVus(share), ...stripedNumbers(part) };
  }

  /** Runs the scenario; see {@linkcode Executor.run}. */
  run<V extends Vu>(host: ExecutionHost<V>, signal: AbortSignal): Promise<ExecutorResult> {
    const { scenario, gracefulStopMs, gracefulRampDownMs } = this.options;
    const regularMs = stagesDurationMs(this.options.stages);
    const run = new ScenarioRun(host, scenario, signal, regularMs, gracefulStopMs);
    const slots = Array.from({ length: this.maxVus() }, () => new _Slot());

    const loop = (slot: _Slot) =>
      run.track(async () => {
        const vu = await run.acquire();
        if (!vu) {
          slot.state = "stopped";
          return;
        }
        const breathe = run.breather();
        try {
          while (slot.state === "running" && !run.stopped) {
            if (slot.controller.signal.aborted || !slot.signal) {
              if (slot.controller.signal.aborted) slot.controller = new AbortController();
              slot.signal = run.link(slot.controller.signal);
            }
            await run.iterate(vu, { signal: slot.signal });
            const nap = breathe();
            if (nap) await nap;
          }
        } finally {
          run.cancel(slot.deadline);
          slot.deadline = undefined;
          slot.state = "stopped";
          run.release(vu);
        }
      });

    const start = (slot: _Slot) => {
      if (slot.state === "running") return;
      if (slot.state === "stopping") {
        run.cancel(slot.deadline);
        slot.deadline = undefined;
        slot.state = "running";
        return;
      }
      slot.state = "running";
      loop(slot);
    };

    const rampDown = (slot: _Slot) => {
      if (slot.state !== "running") return;
      slot.state = "stopping";
      if (gracefulRampDownMs <= 0) {
        slot.controller.abort();
      } else if (run.scheduler.now() + gracefulRampDownMs < run.hardEnd) {
        slot.deadline = run.after(gracefulRampDownMs, () => {
          slot.deadline = undefined;
          if (slot.state === "stopping") slot.controller.abort();
        });
      }
    };

    run.track(async () => {
      let scheduled = 0;
      for (const step of this.steps) {
        if (step.offsetMs >= regularMs) break; // the end of the run stops every VU
        if (await run.sleepUntil(step.offsetMs)) break;
        while (scheduled < step.vus) start(slots[scheduled++]);
        while (scheduled > step.vus) rampDown(slots[--scheduled]);
      }
    });
    return run.finish();
  }

  /** The largest of startVUs and the stage targets. */
  maxVus(): number {
    return maxTarget(this.options.startVUs, this.options.stages);
  }

  /** Sum of the stage durations + gracefulStop. */
  maxDurationMs(): number {
    return stagesDurationMs(this.options.stages) + this.options.gracefulStopMs;
  }

  /**
   * For example `"Up to 20 looping VUs for 3m0s over 3 stages (gracefulRampDown: 30s,
   * gracefulStop: 30s)"`.
   */
  describe(): string {
    const { stages, gracefulRampDownMs } = this.options;
    return `Up to ${this.maxVus()} looping VUs for ${formatDuration(stagesDurationMs(stages))} ` +
      `over ${stages.length} stages` +
      baseInfo(this.options, `gracefulRampDown: ${formatDuration(gracefulRampDownMs)}`);
  }
}

/** The `ramping-vus` entry of the executor registry. */
export const rampingVusExecutor: ExecutorDefinition = {
  name: "ramping-vus",
  validate: (scenario, config) => _read(scenario, config).reader.errors,
  create(scenario, config) {
    const { reader, options } = _read(scenario, config);
    reader.throwIfInvalid();
    return new RampingVus(options);
  },
};
