/**
 * Saved HTML docs pages → the text a reader sees, keeping code blocks intact. The page is tokenized
 * by parse5's SAX parser (the WHATWG tokenizer browsers run, without building a tree): linear in the
 * page's length whatever its markup, and it decodes character references as a browser does in text
 * content. `entities` (the decoder parse5 itself uses) decodes references in plain-text pages.
 */
import { decodeHTML } from "entities";
import { SAXParser } from "parse5-sax-parser";

/** Decodes character references as a browser does in text content. */
export const decodeEntities = (text: string): string => decodeHTML(text);

export function looksLikeHtml(text: string): boolean {
  return /<(!doctype html|html|body|pre|code|div)\b/i.test(text.slice(0, 5000));
}

/** Elements whose content a reader never sees. */
const HIDDEN = new Set(["script", "style", "noscript", "template"]);
/** Elements that end a line where they close. */
const LINE_ENDING = new Set(["p", "div", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article"]);

export function htmlToText(html: string): string {
  const parts: string[] = [];
  let hidden = 0;
  const sax = new SAXParser();
  sax.on("startTag", (t) => {
    if (HIDDEN.has(t.tagName)) hidden += t.selfClosing ? 0 : 1;
    else if (t.tagName === "br" && !hidden) parts.push("\n");
  });
  sax.on("endTag", (t) => {
    if (HIDDEN.has(t.tagName)) hidden = Math.max(0, hidden - 1);
    else if (LINE_ENDING.has(t.tagName) && !hidden) parts.push("\n");
  });
  sax.on("text", (t) => {
    if (!hidden) parts.push(t.text);
  });
  // Events fire synchronously while the text is written.
  sax.end(html);
  return parts.join("");
}
