/**
 * A small, strict XML 1.0 parser for the reporter tests: checks well-formedness (one root,
 * matched tags, quoted unique attributes, valid references, no raw `<` or `&` in text, only
 * XML 1.0 characters) and returns the element tree with references decoded and attribute
 * values normalized as the spec says (literal whitespace becomes a space). No DTDs, no
 * namespaces processing, no CDATA (the reporters never write them).
 *
 * @module
 */

/** One parsed element. */
export interface XmlElement {
  /** Tag name. */
  name: string;
  /** Attributes, decoded. */
  attrs: Record<string, string>;
  /** Child elements in order. */
  children: XmlElement[];
  /** Concatenated, decoded character data directly inside this element. */
  text: string;
}

const NAME = /[A-Za-z_:][\w.\-:]*/y;
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/** Parses `src`; throws an Error naming the offset of the first well-formedness problem. */
export function parseXml(src: string): XmlElement {
  if (!XML_CHAR.test(src)) {
    const bad = Array.from(src).findIndex((ch) => !XML_CHAR.test(ch));
    throw new Error(`Character not allowed in XML 1.0 at code point ${bad}`);
  }
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(
      `Cannot parse XML at offset ${pos}: ${what} near ${JSON.stringify(src.slice(pos, pos + 30))}`,
    );
  };
  const skipWs = () => {
    const ws = /[ \t\r\n]*/y;
    ws.lastIndex = pos;
    ws.exec(src);
    pos = ws.lastIndex;
  };
  const skipMisc = () => {
    for (;;) {
      skipWs();
      if (src.startsWith("<!--", pos)) {
        const end = src.indexOf("-->", pos + 4);
        if (end < 0) fail("unterminated comment");
        pos = end + 3;
      } else return;
    }
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(src);
    if (!m) fail("expected a name");
    pos = NAME.lastIndex;
    return m![0];
  };
  const decode = (raw: string, inAttr: boolean): string => {
    let out = "";
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i];
      if (ch === "<") fail("raw < in text or attribute");
      if (ch === "&") {
        const end = raw.indexOf(";", i);
        if (end < 0) fail("unterminated reference");
        const ref = raw.slice(i + 1, end);
        const named: Record<string, string> = {
          lt: "<",
          gt: ">",
          amp: "&",
          quot: '"',
          apos: "'",
        };
        let value: string | undefined = named[ref];
        if (value === undefined && /^#[0-9]+$/.test(ref)) {
          value = String.fromCodePoint(Number(ref.slice(1)));
        } else if (value === undefined && /^#x[0-9A-Fa-f]+$/.test(ref)) {
          value = String.fromCodePoint(parseInt(ref.slice(2), 16));
        }
        if (value === undefined) fail(`unknown reference &${ref};`);
        if (!XML_CHAR.test(value!)) fail(`reference &${ref}; is not an XML character`);
        out += value;
        i = end;
      } else if (inAttr && (ch === "\t" || ch === "\n" || ch === "\r")) out += " ";
      else out += ch;
    }
    if (!inAttr && raw.includes("]]>")) fail("]]> in text");
    return out;
  };
  const element = (): XmlElement => {
    if (src[pos] !== "<") fail("expected <");
    pos++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: "" };
    for (;;) {
      const before = pos;
      skipWs();
      if (src.startsWith("/>", pos)) {
        pos += 2;
        return el;
      }
      if (src[pos] === ">") {
        pos++;
        break;
      }
      if (pos === before) fail("expected whitespace before an attribute");
      const attr = name();
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      if (src[pos] !== "=") fail("expected =");
      pos++;
      const quote = src[pos];
      if (quote !== '"' && quote !== "'") fail("expected a quoted attribute value");
      const end = src.indexOf(quote, pos + 1);
      if (end < 0) fail("unterminated attribute value");
      el.attrs[attr] = decode(src.slice(pos + 1, end), true);
      pos = end + 1;
    }
    for (;;) {
      const lt = src.indexOf("<", pos);
      if (lt < 0) fail(`unclosed element <${el.name}>`);
      el.text += decode(src.slice(pos, lt), false);
      pos = lt;
      if (src.startsWith("</", pos)) {
        pos += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipWs();
        if (src[pos] !== ">") fail("expected >");
        pos++;
        return el;
      }
      if (src.startsWith("<!--", pos)) {
        const end = src.indexOf("-->", pos + 4);
        if (end < 0) fail("unterminated comment");
        pos = end + 3;
        continue;
      }
      if (src.startsWith("<!", pos) || src.startsWith("<?", pos)) fail("unsupported markup");
      el.children.push(element());
    }
  };
  if (src.startsWith("<?xml", 0)) {
    const end = src.indexOf("?>");
    if (end < 0) fail("unterminated XML declaration");
    const decl = src.slice(0, end + 2);
    if (!/^<\?xml version="1\.[0-9]"( encoding="[A-Za-z][\w.-]*")?\?>$/.test(decl)) {
      fail("malformed XML declaration");
    }
    pos = end + 2;
  }
  skipMisc();
  const root = element();
  skipMisc();
  if (pos !== src.length) fail("content after the root element");
  return root;
}
