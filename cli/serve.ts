/**
 * `serve`: run the reference SMSGate server in the foreground until Ctrl-C.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import pc from "picocolors";
import { DEFECTS } from "../fixtures/defects.ts";
import { startReferenceServer } from "../fixtures/reference_server.ts";
import { PROFILE_NAMES, PROFILES } from "../smsgate/profiles.ts";
import { UsageError } from "./errors.ts";
import { z } from "zod";
import { collect, durationSeconds, parseFlags, parseList, port, userPass } from "./options.ts";

function _defectHelp(): string {
  const width = Math.max(...DEFECTS.map((d) => d.name.length));
  const rows = DEFECTS.map((d) =>
    `  ${d.name.padEnd(width)}  ${d.description} [${d.profiles.join(", ")}]`
  );
  return `\nDefects (--defect, comma-separated; each applies to the profiles in brackets):\n${
    rows.join("\n")
  }\n`;
}

/** The flags of `serve`, validated. */
const ServeFlags = z.object({
  profile: z.enum(PROFILE_NAMES),
  port: port.optional(),
  host: z.string().min(1, "expected a host name or address"),
  user: z.array(userPass),
  accessTtl: durationSeconds.optional(),
  refreshTtl: durationSeconds,
  pathPrefix: z.string().regex(/^(\/[\w.~-]+)*\/?$/, "expected a path such as /api/3rdparty/v1")
    .optional(),
  jwtSecret: z.string().min(1, "expected a non-empty secret").optional(),
  defect: z.array(z.string()),
});

/** Builds the `serve` command. */
export function serveCommand() {
  return new Command("serve")
    .description("Run the reference SMSGate server (all deployment profiles, optional defects)")
    .addOption(
      new Option("--profile <name>", "deployment profile").choices(PROFILE_NAMES).default(
        "server" as const,
      ),
    )
    .option("--port <n>", "port to listen on, 0 = a free port (default: 3000 server, 8080 local)")
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option(
      "--user <user:password>",
      "a Basic-auth user (repeatable; default: one generated user, printed at start)",
      collect,
      [] as string[],
    )
    .option(
      "--access-ttl <duration>",
      "access token TTL and cap, e.g. 15m (default: 15m server, 24h local)",
    )
    .option("--refresh-ttl <duration>", "refresh token TTL on the server profiles", "720h")
    .option("--path-prefix <path>", "API root path (default: /3rdparty/v1 server, none local)")
    .option(
      "--jwt-secret <secret>",
      "HS256 secret (default: random per start, printed so check --jwt-secret can use it)",
    )
    .option(
      "--defect <names>",
      "comma-separated defects to inject (see below)",
      parseList,
      [] as string[],
    )
    .addHelpText("after", _defectHelp())
    .action(async (raw) => {
      const opts = parseFlags(ServeFlags, raw);
      const profile = PROFILES[opts.profile];
      let server;
      try {
        server = await startReferenceServer({
          profile: opts.profile,
          hostname: opts.host,
          port: opts.port ?? (profile.implementation === "go" ? 3000 : 8080),
          users: opts.user,
          accessTtl: opts.accessTtl,
          refreshTtl: opts.refreshTtl,
          pathPrefix: opts.pathPrefix,
          defects: opts.defect,
          jwtSecret: opts.jwtSecret,
        });
      } catch (e) {
        if (e instanceof UsageError) throw e;
        if (e instanceof Deno.errors.AddrInUse) {
          throw new UsageError(
            `Cannot listen on ${opts.host}:${opts.port}: the port is in use; pick another with --port or use --port 0`,
          );
        }
        throw new UsageError((e as Error).message);
      }
      const out = (s: string) => console.log(s);
      out(`${pc.bold("SMSGate reference server")} (${profile.title})`);
      out(`  listening on ${pc.cyan(server.url)}`);
      out(`  access TTL ${server.app.accessTtl}s, tokens: ${profile.tokens}`);
      for (const u of server.users) {
        // Generated test credentials are printed so they can be used; given ones are not echoed.
        const shown = opts.user.length ? "(as given)" : u.password;
        out(`  user ${u.username} password ${shown}`);
      }
      if (profile.tokens === "jwt") {
        const shown = opts.jwtSecret ? "(as given)" : server.app.tokens.secretText;
        out(`  jwt secret ${shown}  (check --jwt-secret enables the signed-token checks)`);
      }
      if (opts.defect.length) out(pc.yellow(`  defects: ${opts.defect.join(", ")}`));
      out("  press Ctrl-C to stop");
      const { promise, resolve } = Promise.withResolvers<void>();
      Deno.addSignalListener("SIGINT", resolve);
      Deno.addSignalListener("SIGTERM", resolve);
      await promise;
      Deno.removeSignalListener("SIGINT", resolve);
      Deno.removeSignalListener("SIGTERM", resolve);
      await server.close();
    });
}
