/**
 * Route families used by checks that must hold "on every protected route family": one safe
 * route per family (reads, or a revoke of a random id). Roles a profile lacks are skipped.
 *
 * @module
 */

/** One representative, side-effect-free route per protected family. */
export const FAMILIES = [
  "messages.list",
  "devices.list",
  "webhooks.list",
  "settings.read",
  "inbox.list",
  "logs.read",
  "token.revoke",
];

/** Every route role guarded by a (non-exact) scope, for wildcard checks. */
export const GUARDED_ROLES = [
  "token.issue",
  "token.revoke",
  "messages.list",
  "messages.send",
  "messages.get",
  "messages.cancel",
  "messages.export",
  "devices.list",
  "devices.delete",
  "settings.read",
  "settings.write",
  "settings.replace",
  "inbox.list",
  "inbox.refresh",
  "inbox.attachment",
  "webhooks.list",
  "webhooks.write",
  "webhooks.delete",
  "logs.read",
];
