/**
 * Whether the target of a load run could be reached at all, which decides exit code 3.
 *
 * Two questions, asked at two moments:
 * 1. Before the run, {@linkcode probeTarget} opens (and closes) one TCP connection to the
 *    target's host and port. A DNS failure, a refused connection or a dial timeout means the
 *    target cannot be reached: the run does not start, and the command prints one line.
 *    TLS is not part of the probe: a certificate problem shows up in the requests themselves,
 *    with k6's TLS error codes.
 * 2. During the run, {@linkcode TargetTally} counts the requests sent to the target's origin
 *    and how many of them got any response byte back. When at least one was sent and none got
 *    a byte (every one failed to connect, failed its TLS handshake, timed out in silence or
 *    was closed unanswered), nothing about the target was measured: the run ends with exit
 *    code 3 whatever the thresholds say, and the message names the causes. A target that
 *    answered anything, even garbage, was reached: such runs end with 0 or 99 as in k6.
 *
 * @module
 */

import { DialError, dialTcp, K6_ERROR_CODES } from "./http_client.ts";

/** Why a target could not be reached: a k6 error code and its message. */
export interface ReachFailure {
  /** k6 error code (1101 no such host, 1212 connection refused, 1211 dial timeout, ...). */
  code: number;
  /** The message, e.g. `dial: connection refused`. */
  message: string;
}

/** Longest time the probe waits for a connection, in ms. */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * Opens one TCP connection to the host and port of `url` and closes it. Resolves null when it
 * connected, or the failure; never rejects.
 */
export async function probeTarget(
  url: string,
  timeoutMs: number = PROBE_TIMEOUT_MS,
): Promise<ReachFailure | null> {
  let host: string;
  let port: number;
  try {
    const u = new URL(url);
    host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
    port = u.port === "" ? (u.protocol === "https:" ? 443 : 80) : Number(u.port);
  } catch {
    return { code: K6_ERROR_CODES.invalidUrl, message: `Cannot parse URL "${url}"` };
  }
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const conn = await dialTcp(host, port, ac.signal);
    conn.close();
    return null;
  } catch (err) {
    if (ac.signal.aborted) {
      return {
        code: K6_ERROR_CODES.tcpDialTimeout,
        message: `dial: i/o timeout (no connection within ${timeoutMs / 1000}s)`,
      };
    }
    if (err instanceof DialError) return { code: err.code, message: err.message };
    return { code: K6_ERROR_CODES.tcpDial, message: `dial: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The outcome of one request, as the tally reads it. */
export interface RequestOutcome {
  /** HTTP status, 0 when the request failed. */
  status: number;
  /** Response bytes read (0: the target sent nothing back). */
  bytesReceived: number;
  /** k6 error code when the request failed. */
  errorCode: number;
  /** Error message when the request failed. */
  error: string;
}

/** A cause of failed requests and how many requests it failed. */
export interface FailureCause {
  /** k6 error code. */
  code: number;
  /** Error message. */
  error: string;
  /** Requests that failed this way. */
  count: number;
}

const _MAX_CAUSES = 64;

/** A {@linkcode TargetTally}'s counts, to merge into another one (workers). */
export interface TallySnapshot {
  /** Requests to the origin. */
  requests: number;
  /** Requests answered. */
  answered: number;
  /** Causes of the unanswered ones. */
  causes: FailureCause[];
}

/** Counts requests to one origin and whether any of them was answered (see the module doc). */
export class TargetTally {
  /** The origin counted, e.g. `http://127.0.0.1:3000`. */
  readonly origin: string;
  #requests = 0;
  #answered = 0;
  #causes = new Map<string, FailureCause>();

  /** Counts requests to the origin of `targetUrl`. */
  constructor(targetUrl: string) {
    this.origin = new URL(targetUrl).origin;
  }

  /** Whether `url` is on the counted origin. */
  matches(url: string): boolean {
    const o = this.origin;
    if (!url.startsWith(o)) return false;
    const next = url.charCodeAt(o.length);
    // end, "/", "?" or "#"
    return Number.isNaN(next) || next === 47 || next === 63 || next === 35;
  }

  /** Records a request to the origin. */
  record(outcome: RequestOutcome): void {
    this.#requests++;
    if (outcome.status !== 0 || outcome.bytesReceived > 0) {
      this.#answered++;
      return;
    }
    const key = `${outcome.errorCode} ${outcome.error}`;
    const cause = this.#causes.get(key);
    if (cause !== undefined) cause.count++;
    else if (this.#causes.size < _MAX_CAUSES) {
      this.#causes.set(key, { code: outcome.errorCode, error: outcome.error, count: 1 });
    }
  }

  /** Requests to the origin so far. */
  get requests(): number {
    return this.#requests;
  }

  /** Requests to the origin that got at least one response byte. */
  get answered(): number {
    return this.#answered;
  }

  /** The counts, for {@linkcode merge}. */
  snapshot(): TallySnapshot {
    return { requests: this.#requests, answered: this.#answered, causes: this.causes() };
  }

  /** Adds another tally's counts (a worker's) into this one. */
  merge(other: TallySnapshot): void {
    this.#requests += other.requests;
    this.#answered += other.answered;
    for (const c of other.causes) {
      const key = `${c.code} ${c.error}`;
      const mine = this.#causes.get(key);
      if (mine !== undefined) mine.count += c.count;
      else if (this.#causes.size < _MAX_CAUSES) this.#causes.set(key, { ...c });
    }
  }

  /** Causes of the unanswered requests, most frequent first. */
  causes(): FailureCause[] {
    return [...this.#causes.values()].sort((a, b) => b.count - a.count || a.code - b.code);
  }

  /**
   * Why the target counts as unreachable, or null when it answered at least once or was never
   * asked, e.g. `none of the 4 requests to http://127.0.0.1:3000 got a response (request
   * timeout, error code 1050: 4)`.
   */
  verdict(): string | null {
    if (this.#requests === 0 || this.#answered > 0) return null;
    const causes = this.causes();
    const shown = causes.slice(0, 3).map((c) => `${c.error}, error code ${c.code}: ${c.count}`);
    const rest = causes.length - 3;
    if (rest > 0) shown.push(`${rest} more cause${rest === 1 ? "" : "s"}`);
    const n = this.#requests;
    return `none of the ${
      n === 1 ? "1 request" : `${n} requests`
    } to ${this.origin} got a response (${shown.join("; ")})`;
  }
}
