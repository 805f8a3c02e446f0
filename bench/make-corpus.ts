// Usage: node dist/bench/make-corpus.js OUT_DIR N
import { generateCorpus } from "./corpus.js";
const [out, n] = process.argv.slice(2);
generateCorpus("schemas", out, Number(n));
