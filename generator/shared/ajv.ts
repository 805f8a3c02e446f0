/**
 * The JSON Schema dialect of normalized schemas is draft 2020-12 (tuples as prefixItems; draft-07
 * schemas are read into it by the normalizer), so every compile uses ajv's 2020 keywords.
 * ajv is CommonJS: under NodeNext its default exports arrive as module objects. One place unwraps them.
 */
import AjvModule from "ajv/dist/2020.js";
import Ajv07Module from "ajv";
import CoreModule from "ajv/dist/core.js";
import standaloneModule from "ajv/dist/standalone/index.js";
import draft2020Module from "ajv/dist/vocabularies/draft2020.js";
import dynamicModule from "ajv/dist/vocabularies/dynamic/index.js";
import unevaluatedModule from "ajv/dist/vocabularies/unevaluated/index.js";

const unwrap = <T>(m: T): T => ((m as { default?: T }).default ?? m) as T;

export const AjvClass = unwrap(AjvModule) as unknown as typeof AjvModule.default;
export type AjvInstance = InstanceType<typeof AjvClass>;
/** ajv's draft-07 class, for the project's own draft-07 documents (the config file's schema). */
export const Ajv07Class = unwrap(Ajv07Module) as unknown as typeof Ajv07Module.default;
export const standaloneCode = unwrap(standaloneModule) as unknown as typeof standaloneModule.default;

const Core = unwrap(CoreModule) as unknown as typeof CoreModule.default;
const leanVocabularies = (unwrap(draft2020Module) as unknown as unknown[]).filter(
  (v) => v !== unwrap(dynamicModule) && v !== unwrap(unevaluatedModule),
);

/**
 * ajv's 2020 keywords without `unevaluated*` and `$dynamicRef`: with those on, every validator
 * carries bookkeeping of which properties and items were evaluated, read by nothing else. Used for
 * every schema that does not use them (the generator refuses `$dynamicRef`).
 */
export class LeanAjv2020 extends Core {
  constructor(opts: ConstructorParameters<typeof Core>[0] = {}) {
    super({ ...opts, next: true, unevaluated: false, dynamicRef: false });
  }
  override _addVocabularies(): void {
    super._addVocabularies();
    for (const v of leanVocabularies)
      this.addVocabulary(v as Parameters<InstanceType<typeof Core>["addVocabulary"]>[0]);
  }
}
