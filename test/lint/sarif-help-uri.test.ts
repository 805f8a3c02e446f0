/**
 * The SARIF rules' help link leads somewhere that exists: the project's homepage (package.json) at a
 * heading of its README, which is the page npm and GitHub render from README.md.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { marked, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { RULES_HELP_URI } from "../../generator/lint/sarif.js";
import { ROOT } from "../helpers.js";

/** A heading's anchor as GitHub and npm make it: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");

describe("SARIF helpUri", () => {
  it("is the package's homepage at an anchor of a README heading", () => {
    const { homepage } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const uri = new URL(RULES_HELP_URI);
    expect(uri.protocol).toBe("https:");
    expect(`${uri.origin}${uri.pathname}`).toBe(homepage);
    const headings = marked
      .lexer(readFileSync(path.join(ROOT, "README.md"), "utf8"))
      .filter((t): t is Tokens.Heading => t.type === "heading")
      .map((h) => anchorOf(h.text));
    expect(headings).toContain(uri.hash.slice(1));
    // The heading the link names is the one with the rules table.
    expect(anchorOf("Lint rules")).toBe("lint-rules");
  });
});
