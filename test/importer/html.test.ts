import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { encodeHTML } from "entities";
import { describe, expect, it } from "vitest";
import { decodeEntities, htmlToText } from "../../generator/importer/html.js";
import { extractFromPage } from "../../generator/importer/page.js";
import { ROOT } from "../helpers.js";

const SEEDS = path.join(ROOT, "test", "fixtures", "seeds");

describe("importer: HTML character references", () => {
  it("decodes the named references docs pages use beyond the basic six", () => {
    expect(decodeEntities("width&times;height &le; 3 &ge; 1 &ndash; &hellip; &eacute;&nbsp;x")).toBe(
      "width×height ≤ 3 ≥ 1 – … é\u00a0x",
    );
    expect(decodeEntities("&#8805; &#x2264; &amp;amp; &lt;b&gt;")).toBe("≥ ≤ &amp; <b>");
    // As browsers do: legacy references without a semicolon, unknown names kept, bad code points replaced.
    expect(decodeEntities("a &amp b &bogus; &notin; &not c &#x110000;")).toBe("a & b &bogus; ∉ ¬ c \ufffd");
  });

  it("text encoded with every named reference reads back exactly (entities' encoder as the oracle)", () => {
    const text = '{"width×height": "≤ 3", "note": "café — 입력 스키마 <b> & \\"q\\""}';
    const encoded = encodeHTML(text);
    expect(encoded).toContain("&times;");
    expect(htmlToText(`<pre><code>${encoded}</code></pre>`).trim()).toBe(text);
  });

  it("a seed page saved as fully encoded HTML imports as its text does", () => {
    for (const name of readdirSync(SEEDS).sort()) {
      const text = readFileSync(path.join(SEEDS, name), "utf8");
      const html = `<!doctype html><html><body><pre><code>${encodeHTML(text).replace(/\n/g, "<br>")}</code></pre></body></html>`;
      expect(extractFromPage(`${name}.html`, html)).toEqual(extractFromPage(name, text));
    }
  });
});

describe("importer: HTML to text (parse5's tokenizer)", () => {
  it("drops what a reader never sees, ends lines at <br> and block ends, keeps encoded markup as text", () => {
    const html =
      "<html><head><style>p{}</style><script>var s = '</p><b>';</script></head><body>" +
      "<h1>Title</h1><!-- a <p> comment --><p>one<br>two</p><noscript>enable JS</noscript>" +
      '<pre><code>{"a": "&lt;b&gt; &amp; &times;"}</code></pre><template><p>hidden</p></template>after</body></html>';
    expect(htmlToText(html)).toBe('Title\none\ntwo\n{"a": "<b> & ×"}\nafter');
  });

  it("an unclosed <script> or comment hides the rest, as in a browser", () => {
    expect(htmlToText("<html><body>shown<script>if (a < b) {")).toBe("shown");
    expect(htmlToText("<html><body>shown<!-- <p>never")).toBe("shown");
  });
});
