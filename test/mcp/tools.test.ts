import { describe, expect, it } from "vitest";
import { modelMatcher, outputUrls, TOOL_NAME, toolNameOf } from "../../generator/mcp/tools.js";

describe("tool names", () => {
  it("are the id with / as _ when that says it exactly", () => {
    expect(toolNameOf("bytedance/dreamina-4-0/edit")).toBe("bytedance_dreamina-4-0_edit");
  });

  it("carry a hash of the id when the plain name could meet another id's, or is too long", () => {
    const ids = ["a_b/c", "a/b_c", "a/b/c", "a.b/c", "a-b/c", `x/${"y".repeat(80)}`, `x/${"y".repeat(79)}z`];
    const names = ids.map(toolNameOf);
    expect(new Set(names).size).toBe(ids.length);
    for (const n of names) expect(n).toMatch(TOOL_NAME);
    expect(names[2]).toBe("a_b_c");
    expect(names[0]).toMatch(/^a_b_c_[0-9a-f]{8}$/);
    expect(toolNameOf("a_b/c")).toBe(names[0]);
  });
});

describe("--models", () => {
  it("matches ids by comma-separated patterns, * spanning slashes", () => {
    const m = modelMatcher("bytedance/*, acme/x");
    expect(["bytedance/a/b", "acme/x", "acme/xy", "other/a"].filter(m)).toEqual(["bytedance/a/b", "acme/x"]);
    expect(modelMatcher("a.b")("aXb")).toBe(false);
  });
});

it("outputUrls finds every URL in an output, in order", () => {
  expect(outputUrls({ video: "https://x/v.mp4", images: ["https://x/1.png", "not a url"], n: 1 })).toEqual([
    "https://x/v.mp4",
    "https://x/1.png",
  ]);
});
