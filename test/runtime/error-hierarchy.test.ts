/** Every error the generated package throws is a RunComfyError: probe, local-media and download failures too. */
import { expect, it } from "vitest";
import { RunComfyError } from "../../generator/runtime/errors.js";
import { ProbeError } from "../../generator/runtime/media/byte-reader.js";
import { LocalMediaError } from "../../generator/runtime/media/data-uri.js";
import { DownloadError } from "../../generator/runtime/node.js";

it("ProbeError, LocalMediaError and DownloadError are in the one hierarchy, with their own names and codes", () => {
  const errors = [
    new ProbeError("the host answered 404", "http", 404),
    new LocalMediaError("not an image"),
    new DownloadError("the file exists", "exists"),
  ];
  for (const e of errors) expect(e).toBeInstanceOf(RunComfyError);
  expect(errors.map((e) => e.name)).toEqual(["ProbeError", "LocalMediaError", "DownloadError"]);
  expect([(errors[0] as ProbeError).code, errors[0].status, (errors[2] as DownloadError).code]).toEqual([
    "http",
    404,
    "exists",
  ]);
  expect(errors[0].toJSON()).toMatchObject({ name: "ProbeError", message: "the host answered 404", status: 404 });
});
