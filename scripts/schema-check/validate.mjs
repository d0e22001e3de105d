// Validates JSON files against a JSON Schema with ajv, the validator behind
// yaml-language-server (VS Code), in strict mode with ECMA-262 regular
// expressions (`unicodeRegExp`): a pattern that is not valid ECMA-262, such
// as one with an inline `(?i)` flag, makes the schema fail to compile.
//
// Usage: node validate.mjs SCHEMA.json [INSTANCE.json ...]
// Exit code: 0 all valid, 1 an instance is invalid, 2 the schema does not
// compile (or a file cannot be read).
import { readFileSync } from "node:fs";
import Ajv07 from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [schemaPath, ...instances] = process.argv.slice(2);
if (!schemaPath) {
  console.error("usage: node validate.mjs SCHEMA.json [INSTANCE.json ...]");
  process.exit(2);
}

let ajv;
let validate;
try {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
  const Ajv = String(schema.$schema || "").includes("2020-12") ? Ajv2020 : Ajv07;
  ajv = new Ajv({ strict: true, unicodeRegExp: true, allErrors: true });
  addFormats(ajv);
  // The numeric formats schemars writes (annotations, not standard formats).
  for (const f of ["int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float", "double"]) {
    ajv.addFormat(f, { type: "number", validate: () => true });
  }
  validate = ajv.compile(schema);
} catch (e) {
  console.error(`${schemaPath}: the schema does not compile: ${e.message}`);
  process.exit(2);
}
console.log(`${schemaPath}: compiles (strict, ECMA-262 patterns)`);

let failed = false;
for (const path of instances) {
  let data;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    console.error(`${path}: cannot read: ${e.message}`);
    process.exit(2);
  }
  if (validate(data)) {
    console.log(`${path}: valid`);
  } else {
    failed = true;
    console.error(`${path}: invalid: ${ajv.errorsText(validate.errors, { separator: "\n  " })}`);
  }
}
process.exit(failed ? 1 : 0);
