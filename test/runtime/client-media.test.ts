/**
 * Local media in code (issue 16 §3): a Blob, File or Uint8Array at a media input is sent as a data
 * URI, typed, capped at RunComfy's 64 MiB, and the media rules checked on its bytes — against the
 * emulator over real HTTP on 127.0.0.1. The type checks in this file run with `npm run typecheck`.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { jpeg, png } from "../../generator/mock/images.js";
import { mediaInputs, mediaPaths } from "../../generator/emit/media-paths.js";
import { inlineLocalMedia } from "../../generator/runtime/client/local-media.js";
import { sniffMediaType } from "../../generator/runtime/media/data-uri.js";
import { createClient, ValidationError, type ClientInput, type ModelTypes } from "../../generated/index.js";
import { SCHEMAS } from "../helpers.js";

const TOKEN = "rc-media-token-5e02c7";
const EDIT = "bytedance/dreamina-4-0/edit" as const;
const T2V = "bytedance/dreamina-3-0/pro/text-to-video" as const;
const emulators: Emulator[] = [];
afterAll(() => Promise.all(emulators.map((e) => e.close())));

async function setup() {
  const e = await startEmulator({ schemasDir: SCHEMAS, token: TOKEN, queueMs: 0, runMs: 0 });
  emulators.push(e);
  return { e, client: createClient({ token: TOKEN, baseUrl: e.baseUrl }) };
}
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

describe("local media in code", () => {
  it("a Blob, a File and a Uint8Array at a media input are sent as data URIs of their type", async () => {
    const { e, client } = await setup();
    const small = Uint8Array.from(png(64, 48));
    const photo = Uint8Array.from(jpeg(80, 60));
    const input = {
      prompt: "p",
      image_urls: [
        new Blob([small], { type: "image/png" }),
        new File([photo], "photo.jpg"),
        photo,
        "https://example.com/a.png",
      ],
    };
    const job = await client.submit(EDIT, input, {});
    expect(e.job(job.requestId)?.input).toEqual({
      prompt: "p",
      image_urls: [
        `data:image/png;base64,${base64(small)}`,
        `data:image/jpeg;base64,${base64(photo)}`,
        `data:image/jpeg;base64,${base64(photo)}`,
        "https://example.com/a.png",
      ],
    });
    // The caller's input is left as it was.
    expect(input.image_urls[0]).toBeInstanceOf(Blob);
  });

  it("the media rules are checked on the bytes, before anything is sent", async () => {
    const { e, client } = await setup();
    const err = await client.submit(EDIT, { prompt: "p", image_urls: [jpeg(6000, 1000)] }).catch((x) => x);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => [i.path, i.rule])).toEqual([
      ["/image_urls/0", "width_pixels<="],
      ["/image_urls/0", "width/height≤"],
    ]);
    expect(e.stats().requests.submit).toBe(0);
  });

  it("over RunComfy's 64 MiB cap, of the wrong kind, of no known type, or not at a media input: one ValidationError, nothing sent", async () => {
    const { e, client } = await setup();
    const huge = new Blob([new Uint8Array(49 * 1024 * 1024)], { type: "image/png" });
    const wav = new TextEncoder().encode("RIFF$\u0000\u0000\u0000WAVEfmt ");
    const unknown = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const err = await client
      .submit(EDIT, { prompt: new Blob(["x"]) as never, image_urls: [huge, wav, unknown] })
      .catch((x) => x);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => [i.path, i.message])).toEqual([
      ["/prompt", "local media (a Blob, File or Uint8Array) was given, but this is not a media input"],
      [
        "/image_urls/0",
        "the Blob is too large to send: as a data URI it is 65.3 MiB, over RunComfy's 64 MiB request cap; host it and pass its https URL",
      ],
      ["/image_urls/1", "the Uint8Array is audio/wav, but this input takes an image"],
      [
        "/image_urls/2",
        "cannot tell the media type of the Uint8Array: give it a known extension (png, jpg, jpeg, webp, gif, bmp, mp4, m4v, mov, webm, mp3, wav, m4a, aac, ogg, flac) or a type",
      ],
    ]);
    expect(e.stats().requests.submit).toBe(0);
  });

  it("files under the cap that make the request as a whole go over it are refused too", async () => {
    const { e, client } = await setup();
    const part = new Blob([new Uint8Array(30 * 1024 * 1024)], { type: "image/png" });
    const err = await client.submit(EDIT, { prompt: "p", image_urls: [part, part] }).catch((x) => x);
    expect((err as ValidationError).issues.map((i) => i.message)).toEqual([
      "with its local media the request is 80.0 MiB, over RunComfy's 64 MiB request cap; host the larger files and pass their https URLs",
    ]);
    expect(e.stats().requests.submit).toBe(0);
  });

  it("run takes local media as submit does", async () => {
    const { e, client } = await setup();
    const { requestId } = await client.subscribe(EDIT, { prompt: "p", image_urls: [png(32, 32)] });
    expect(e.job(requestId)?.input).toEqual({
      prompt: "p",
      image_urls: [`data:image/png;base64,${base64(png(32, 32))}`],
    });
  });
});

describe("what the types say", () => {
  it("media paths come from the schema: properties, array items, alternatives", () => {
    expect(
      mediaPaths({
        type: "object",
        properties: {
          image: { type: "string", "x-media": "image" },
          frames: { type: "array", items: { anyOf: [{ type: "string", "x-media": "video" }, { type: "null" }] } },
          "a/b": { type: "string", "x-media": "image" },
          prompt: { type: "string" },
        },
      }),
    ).toEqual(["frames/*", "image"]);
  });

  it("the client takes local media exactly where the types do, from the same emitted list: an image under allOf too", async () => {
    const schema = {
      type: "object" as const,
      properties: {
        ref: { allOf: [{ type: "string" as const, "x-media": "image" as const }] },
        frames: {
          type: "array" as const,
          items: { oneOf: [{ type: "string" as const, "x-media": "video" as const }] },
        },
        prompt: { type: "string" as const },
      },
    };
    const inputs = mediaInputs(schema, []);
    expect(inputs).toEqual([
      { path: ["ref"], media: "image" },
      { path: ["frames", "*"], media: "video" },
    ]);
    expect(mediaPaths(schema)).toEqual(["frames/*", "ref"]);
    const sent = await inlineLocalMedia("acme/m", { ref: png(2, 2), prompt: "p" }, inputs);
    expect(sent).toEqual({ ref: `data:image/png;base64,${base64(png(2, 2))}`, prompt: "p" });
    await expect(inlineLocalMedia("acme/m", { prompt: png(2, 2) }, inputs)).rejects.toThrow(
      /\/prompt local media .* is not a media input/,
    );
  });

  it("the bytes' signature gives the type when nothing else does", () => {
    expect(
      [png(1, 1), jpeg(1, 1), new TextEncoder().encode("\u0000\u0000\u0000\u0018ftypisom"), new Uint8Array([9])].map(
        sniffMediaType,
      ),
    ).toEqual(["image/png", "image/jpeg", "video/mp4", undefined]);
  });
});

/** Checked by `npm run typecheck` (never run): a media input takes local media, other inputs do not. */
export function typeChecks(): unknown[] {
  type EditInput = ClientInput<ModelTypes[typeof EDIT]>;
  const ok: EditInput = {
    prompt: "p",
    image_urls: [new Blob([]), new File([], "a.png"), new Uint8Array(1), "https://x"],
  };
  // @ts-expect-error: a prompt is text, not media
  const bad: EditInput = { prompt: new Blob([]), image_urls: [] };
  // @ts-expect-error: a text-to-video model has no media input
  const none: ClientInput<ModelTypes[typeof T2V]> = { prompt: new Uint8Array(1) };
  return [ok, bad, none];
}
