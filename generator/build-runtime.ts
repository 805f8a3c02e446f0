/** `npm run build` step: compiles the runtime shipped in generated packages into dist/runtime. */
import { buildRuntime, BUILT_RUNTIME_DIR } from "./emit/runtime.js";

const files = await buildRuntime();
console.log(`runtime: ${files.length} files in ${BUILT_RUNTIME_DIR}`);
