/**
 * Saved HTML docs pages → the text a reader sees, keeping code blocks intact. Character references
 * are decoded by `entities` (the decoder htmlparser2 and cheerio use): all of HTML's named references
 * (`&times;` in `width&times;height` keys, `&le;`/`&ge;` in rules), numeric ones, and the legacy
 * forms browsers accept without a semicolon.
 */
import { decodeHTML } from "entities";

/** Decodes character references as a browser does in text content. */
export const decodeEntities = (text: string): string => decodeHTML(text);

export function looksLikeHtml(text: string): boolean {
  return /<(!doctype html|html|body|pre|code|div)\b/i.test(text.slice(0, 5000));
}

export function htmlToText(html: string): string {
  // Tags go first, references after: `&lt;b&gt;` in a code block is text, not a tag to strip.
  return decodeEntities(
    html
      .replace(/<(script|style|noscript)\b[\s\S]*?<\/\1>/gi, "")
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<br\s*\/?>/gi, "\n")
      .replace(/<\/(p|div|pre|h[1-6]|li|tr|section|article)>/gi, "\n")
      .replace(/<[^>]+>/g, ""),
  );
}
