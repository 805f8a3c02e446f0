/**
 * `runcomfy-codegen openapi`: the generated package's OpenAPI tree (`openapi.json` and a file per
 * model) bundled into one self-contained document, for generators that read a single file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CliFailure, EXIT, withHelp, type RegisterCommand } from "./context.js";

export const registerOpenApi: RegisterCommand = (y, { io, config }) =>
  y.command(
    "openapi",
    "Print (or write) the package's OpenAPI 3.1 document as one self-contained file",
    (c) =>
      withHelp(c, {
        examples: [
          ["$0 openapi > runcomfy.openapi.json", "every model's routes and schemas in one document"],
          ["$0 openapi --out runcomfy.openapi.json --package generated", "from another package folder, to a file"],
        ],
        env: [],
      })
        .option("package", { type: "string", default: config.output, describe: "Folder of the generated package" })
        .option("out", { type: "string", describe: "Write the document to this file instead of stdout" }),
    async (args) => {
      const { bundleOpenApi, OPENAPI_ROOT } = await import("../emit/openapi.js");
      const dir = path.resolve(io.cwd, args.package as string);
      const readJson = (rel: string) => {
        const file = path.join(dir, rel);
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch {
          throw new CliFailure(`${file} is missing: run \`npx runcomfy-codegen generate\` first`, EXIT.usage);
        }
        try {
          return JSON.parse(text) as Record<string, unknown>;
        } catch (e) {
          throw new CliFailure(`${file} is not JSON (${(e as Error).message}): run generate again`, EXIT.usage);
        }
      };
      const doc = bundleOpenApi(readJson(OPENAPI_ROOT), readJson);
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      if (args.out) writeFileSync(path.resolve(io.cwd, args.out as string), text);
      else io.stdout(text);
    },
  );
