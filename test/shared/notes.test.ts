import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lintPaths } from "../../generator/lint/lint.js";
import { formatSarif } from "../../generator/lint/sarif.js";
import { NOTE_CODES, makeNote, severityOf, type SeverityPolicy } from "../../generator/shared/notes.js";
import { tempDir } from "../helpers.js";

const tmp = tempDir("rcg-notes-");
afterAll(tmp.cleanup);

let folders = 0;
/** Lints one schema file `a/b.json` with this text, as `runcomfy-codegen lint` does. */
function lintText(text: string, policy: Partial<SeverityPolicy> = {}) {
  const root = path.join(tmp.dir, String(folders++));
  mkdirSync(path.join(root, "a"), { recursive: true });
  writeFileSync(path.join(root, "a", "b.json"), text);
  return lintPaths([root], { strict: policy.strict, rules: policy.rules });
}

describe("the note registry", () => {
  it("gives each note its severity; strict turns only uncheckable rules into errors", async () => {
    expect(makeNote("normalized-type", "/x", "m")).toEqual({
      code: "normalized-type",
      severity: "warning",
      pointer: "/x",
      message: "m",
    });
    expect(severityOf("rule-unknown-metric")).toBe("warning");
    expect(severityOf("rule-unknown-metric", true)).toBe("error");
    expect(severityOf("unknown-format", true)).toBe("warning");
    expect(severityOf("inferred-type", true)).toBe("info");
  });

  it("the config file's rules set warnings and infos (off drops them); errors stay errors; --strict wins", async () => {
    const rules = {
      "normalized-type": "off",
      "inferred-type": "warning",
      "unknown-type": "off",
      "rule-syntax": "off",
    } as const;
    expect(severityOf("normalized-type", { rules })).toBe("off");
    expect(severityOf("inferred-type", { rules })).toBe("warning");
    expect(severityOf("unknown-type", { rules })).toBe("error");
    expect(severityOf("rule-syntax", { rules })).toBe("off");
    expect(severityOf("rule-syntax", { rules, strict: true })).toBe("error");
    const text = JSON.stringify({
      model_id: "a/b",
      input_schema: { type: "object", properties: { s: { type: "float" } } },
    });
    expect((await lintText(text)).map((f) => f.ruleId)).toEqual(["normalized-type"]);
    expect(await lintText(text, { rules })).toEqual([]);
  });

  it("SARIF rules are described from the registry, at its level", async () => {
    const text = JSON.stringify({
      model_id: "a/b",
      input_schema: { type: "object", properties: { s: { type: "Float" }, t: { type: "tensor" } } },
    });
    const findings = await lintText(text);
    const sarif = JSON.parse(formatSarif(findings, "0"));
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules).toMatchObject([
      {
        id: "normalized-type",
        shortDescription: { text: NOTE_CODES["normalized-type"].summary },
        defaultConfiguration: { level: "warning" },
      },
      {
        id: "unknown-type",
        shortDescription: { text: NOTE_CODES["unknown-type"].summary },
        defaultConfiguration: { level: "error" },
      },
    ]);
  });
});
