import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
function walk(d){return readdirSync(d).flatMap(n=>{const p=path.join(d,n);return statSync(p).isDirectory()?walk(p):p.endsWith(".json")?[p]:[]})}
const [schemas,out]=process.argv.slice(2); const rs=[];
for(const f of walk(schemas)){const doc=JSON.parse(readFileSync(f,"utf8"));const model=readFileSync(path.join(out,"models",doc.model_id.replaceAll("/","~")+".js"),"utf8");
 const start = model.indexOf("\n", model.indexOf("// The precompiled input validator")) + 1;
 const v = Buffer.byteLength(model.slice(start, model.indexOf("\n\n/** The model id, as sent in the request path. */")));
 rs.push([v/JSON.stringify(doc.input_schema).length,f]);}
rs.sort((a,b)=>a[0]-b[0]); console.log("median",rs[rs.length>>1][0].toFixed(2),"max",rs.at(-1)[0].toFixed(2), rs.at(-1)[1]);
