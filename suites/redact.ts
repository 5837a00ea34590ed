/**
 * Redaction of secrets in transcripts: passwords, tokens and Authorization headers never reach a
 * report. A JWT keeps its header and claims visible (they are what a reader needs) but never its
 * signature.
 *
 * @module
 */

const JWT_RE = /\b(eyJ[A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)/g;
const TOKEN_FIELDS = new Set(["access_token", "refresh_token", "token", "password", "secret"]);

/** Redacts one token: a JWT keeps `header.claims.`, anything else becomes `<redacted>`. */
export function redactToken(token: string): string {
  const parts = token.split(".");
  if (parts.length === 3 && parts[0].startsWith("eyJ")) {
    return `${parts[0]}.${parts[1]}.${parts[2] ? "<signature redacted>" : ""}`;
  }
  return "<redacted>";
}

/** Redacts an Authorization header value. */
export function redactAuthorization(value: string): string {
  const m = /^(\S+)\s+(.*)$/.exec(value);
  if (!m) return "<redacted>";
  const scheme = m[1];
  if (/^bearer$/i.test(scheme)) return `${scheme} ${redactToken(m[2].trim())}`;
  return `${scheme} <redacted>`;
}

/** A redactor that also removes literal secrets it was told about (passwords, keys). */
export class Redactor {
  #secrets: string[];
  /** Creates a redactor for these literal secrets (empty strings are ignored). */
  constructor(secrets: readonly (string | undefined)[] = []) {
    this.#secrets = secrets.filter((s): s is string => !!s && s.length >= 3)
      .sort((a, b) => b.length - a.length);
  }

  /** Redacts free text: JWT signatures and literal secrets. */
  text(s: string): string {
    let out = s.replace(JWT_RE, (_m, h, p) => `${h}.${p}.<signature redacted>`);
    for (const secret of this.#secrets) out = out.split(secret).join("<redacted>");
    return out;
  }

  /** Redacts a body: token fields in JSON are replaced, then free-text redaction applies. */
  body(s: string): string {
    try {
      const v = JSON.parse(s);
      if (v && typeof v === "object") return this.text(JSON.stringify(this.#walk(v)));
    } catch {
      // not JSON
    }
    return this.text(s);
  }

  /** Redacts headers (Authorization, Cookie, Set-Cookie; values by text rules). */
  headers(h: Headers | Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    const entries = h instanceof Headers ? [...h.entries()] : Object.entries(h);
    for (const [k, v] of entries) {
      const key = k.toLowerCase();
      if (key === "authorization" || key === "proxy-authorization") {
        out[key] = redactAuthorization(v);
      } else if (key === "cookie" || key === "set-cookie") out[key] = "<redacted>";
      else out[key] = this.text(v);
    }
    return out;
  }

  /** Redacts credentials from a URL. */
  url(u: string): string {
    try {
      const url = new URL(u);
      if (url.username || url.password) {
        url.username = "";
        url.password = "";
      }
      return this.text(url.toString());
    } catch {
      return this.text(u);
    }
  }

  #walk(v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.#walk(x));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        out[k] = TOKEN_FIELDS.has(k) && typeof x === "string" ? redactToken(x) : this.#walk(x);
      }
      return out;
    }
    return v;
  }
}
