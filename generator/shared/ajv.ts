/** ajv is CommonJS: under NodeNext its default exports arrive as module objects. One place unwraps them. */
import AjvModule from "ajv";
import standaloneModule from "ajv/dist/standalone/index.js";

export const AjvClass = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
export type AjvInstance = InstanceType<typeof AjvClass>;
export const standaloneCode = ((standaloneModule as unknown as { default?: unknown }).default ?? standaloneModule) as typeof standaloneModule.default;
