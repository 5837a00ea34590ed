/**
 * Keeps a run alive when script code throws outside an iteration's promise chain (in a timer
 * callback, a promise nobody awaits): without this, Deno ends the process (or the worker) on
 * the first uncaught error and no summary is printed. The error is reported instead, like an
 * iteration error, and the run goes on.
 *
 * @module
 */

/**
 * Until the returned function is called, uncaught errors and unhandled promise rejections on
 * this thread go to `report` instead of ending it.
 */
export function catchUncaught(report: (error: unknown) => void): () => void {
  const onError = (e: Event) => {
    e.preventDefault();
    report((e as ErrorEvent).error ?? (e as ErrorEvent).message);
  };
  const onRejection = (e: Event) => {
    e.preventDefault();
    report((e as PromiseRejectionEvent).reason);
  };
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  return () => {
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
  };
}
