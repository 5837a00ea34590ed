/**
 * The load generator's safety rule: no load on the public SMSGate cloud (`api.sms-gate.app`,
 * shared by every user) unless the user states that they own that load with
 * {@linkcode OWN_LOAD_FLAG}. The rule is applied to the target before a run and to every request
 * during it, so a script cannot reach the cloud through `__ENV` or a hard-coded URL either.
 *
 * @module
 */

/** The public cloud's API host. */
export const PUBLIC_CLOUD_HOST = "api.sms-gate.app";

/** The flag by which the user states they own the load they send. */
export const OWN_LOAD_FLAG = "--i-own-this-load";

const _CLOUD_DOMAIN = "sms-gate.app";
const _MENTION = /sms-gate\.app/i;

/** Whether `hostname` belongs to the public cloud (`sms-gate.app` or any sub-domain). */
export function isPublicCloudHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return h === _CLOUD_DOMAIN || h.endsWith(`.${_CLOUD_DOMAIN}`);
}

/** The refusal message for a public-cloud host. */
export function cloudRefusalMessage(hostname: string): string {
  return `Cannot send load to ${hostname}: it is the public SMSGate cloud, shared by every user; ` +
    `pass ${OWN_LOAD_FLAG} only if you own this load (for example with the operator's consent)`;
}

/**
 * Why `url` may not receive load (a message), or null when it may. Cheap for the hot path: URLs
 * that do not mention the cloud domain are not parsed.
 */
export function refuseCloudUrl(url: string): string | null {
  if (!_MENTION.test(url)) return null;
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return null; // the HTTP client reports the invalid URL
  }
  return isPublicCloudHost(hostname) ? cloudRefusalMessage(hostname) : null;
}
