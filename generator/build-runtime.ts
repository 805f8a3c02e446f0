/** `npm run build` step: compiles the runtime shipped in generated packages into dist/runtime. */
import { buildRuntime, BUILT_RUNTIME_DIR } from "./emit/runtime.js";
import { CONFIG_SCHEMA_PATH, writeConfigSchema } from "./shared/config-schema.js";

const files = await buildRuntime();
console.log(`runtime: ${files.length} files in ${BUILT_RUNTIME_DIR}`);
if (writeConfigSchema()) console.log(`config schema: ${CONFIG_SCHEMA_PATH} rewritten from the note registry`);
