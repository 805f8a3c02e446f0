/**
 * `.ci/run` runs the suite in a network namespace with only loopback (RUNCOMFY_TESTS_NETNS=1 says so):
 * this checks that the namespace is really there, so a CI change that drops it fails here. Elsewhere
 * (a developer's `npm test`) only the in-process guard applies and this is skipped.
 */
import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";

describe.runIf(process.env.RUNCOMFY_TESTS_NETNS === "1")("the tests' network namespace (.ci/run)", () => {
  it("has loopback up and no other address", () => {
    const addresses = Object.values(networkInterfaces())
      .flat()
      .map((a) => a?.address);
    expect(addresses).toContain("127.0.0.1");
    expect(addresses.filter((a) => a !== "127.0.0.1" && a !== "::1")).toEqual([]);
  });
});
