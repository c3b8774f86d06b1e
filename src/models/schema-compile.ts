import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { useSetEnum } from './schema-enum.js';
import { storedRegExp } from './schema-patterns.js';

/** How models' input schemas are checked and compiled with Ajv (for ModelCatalog, monitoring/catalog.ts). */

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

function newAjv(validateSchema: boolean, allErrors = false): Ajv {
  // Patterns run by RE2, in time linear in the text (models/schema-patterns.ts); the catalog's checkInputSchema refuses those it cannot run.
  // logger false: a schema that does not compile made Ajv print its whole generated function (1 MB for 3,000
  // properties) on stderr; the error itself is what the declaration answers.
  const ajv = new Ajv({ allErrors, strict: false, coerceTypes: false, validateSchema, addUsedSchema: false, logger: false, code: { regExp: storedRegExp } });
  addFormats(ajv);
  // enum by a Set, not value by value (models/schema-enum.ts)
  useSetEnum(ajv);
  return ajv;
}

let meta: Ajv | null = null;

/**
 * The Ajv that checks input schemas against draft-07's meta-schema, one for the process: it compiles no input schema
 * (validateSchema only runs the meta-schema's validator), so it keeps nothing of them, and the meta-schema is compiled
 * once (~10 ms of CPU at each catalog made before: each server start, hundreds in the tests' processes).
 */
export function metaChecker(): Ajv {
  return (meta ??= newAjv(true));
}

/**
 * Blocks a validator compiled with allErrors off may nest. Such code nests a block per property; one of 1,700-2,400
 * properties compiled, but V8's parser overflowed its stack when the validator first ran (it parses a function's body
 * then), so every event of the model answered 500 (audit 15; 1,500 ran, from a shallow stack).
 */
const MAX_CODE_NESTING = 1000;

/** How deep the braces of generated code nest (braces inside its string literals count too: an estimate, on the safe side for the usual names). */
function blockNesting(code: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 123) max = Math.max(max, ++depth);
    else if (c === 125) depth--;
  }
  return max;
}

/**
 * Compiles an input schema. Ajv stops at an event's first error (allErrors off): with allErrors on, an event of one
 * array of 2,000,000 wrong items (or as many properties a schema's additionalProperties: false refuses) made 2,000,000
 * error objects, 269 MB and 1.8 s, for one row of one request. But with it off Ajv nests the check of each property
 * inside the one before (`if (valid) {...}`) and its code generator recurses through that nesting: a schema of 1,800
 * properties overflowed the stack, or compiled (from a shallower stack) into code V8 could not parse when it first ran
 * (MAX_CODE_NESTING). Such a schema is compiled with allErrors on (its events' errors are then all
 * collected, the cost above); one that overflows even so is refused (checkInputSchema's bounds, schemaSizeProblem, keep
 * schemas well below that).
 */
export function compileBounded(schema: Record<string, unknown>): ValidateFunction {
  try {
    const validate = newAjv(false).compile(schema);
    if (blockNesting(validate.toString()) <= MAX_CODE_NESTING) return validate;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  try {
    return newAjv(false, true).compile(schema);
  } catch (e) {
    if (e instanceof RangeError) throw new Error(`it is too large or too deeply nested to compile (${e.message}): see the limits on input schemas in the README`, { cause: e });
    throw e;
  }
}
