import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { compileValidator, minifyValidator } from "./dist/generator/emit/validator.js";
import { mask } from "./dist/generator/emit/js-scan.js";
import { buildModel } from "./dist/generator/model.js";
import { parseSchemaTexts } from "./dist/generator/load.js";
function walk(d){return readdirSync(d).flatMap(n=>{const p=path.join(d,n);return statSync(p).isDirectory()?walk(p):p.endsWith(".json")?[p]:[]})}
function ws(code){const m=mask(code);let out="";const id=c=>/[\w$]/.test(c);
  for(let k=0;k<code.length;k++){if(m[k]===" "&&code[k]===" "){const a=out[out.length-1],b=code[k+1];if(!(id(a)&&id(b))&&!(a===b&&"+-/".includes(a)))continue;}out+=code[k];}
  return out;}
const rs=[];
for (const f of walk("/tmp/c1000").slice(0,300)) { const text=readFileSync(f,"utf8"); const { files: [pf] } = parseSchemaTexts([{ relPath: path.relative("/tmp/c1000", f), text }]); const ir=buildModel(pf,"c1000");
  const c = compileValidator(ir.input.schema, "../runtime/"); const m = await minifyValidator(c);
  const s = JSON.stringify(JSON.parse(text).input_schema).length;
  rs.push([(c.imports.length + ws(c.code).length)/s, (m.imports.length+Buffer.byteLength(m.code))/s]); }
const med=(a)=>a.sort((x,y)=>x-y)[a.length>>1];
console.log("ws only median", med(rs.map(r=>r[0])).toFixed(2), "max", Math.max(...rs.map(r=>r[0])).toFixed(2));
console.log("esbuild median", med(rs.map(r=>r[1])).toFixed(2), "max", Math.max(...rs.map(r=>r[1])).toFixed(2));
