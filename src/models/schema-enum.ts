import type { Ajv, ErrorObject } from 'ajv';
import type { DataValidateFunction } from 'ajv/dist/types/index.js';
import equalImport from 'ajv/dist/runtime/equal.js';

const equal = (equalImport as unknown as { default: (a: unknown, b: unknown) => boolean }).default;

/**
 * JSON Schema's `enum`, checked by a Set. Ajv's own keyword compares a value with each allowed value in turn: 6.7 µs per
 * check of a 1,000-value enum and 117 µs of a 10,000-value one (the largest an input schema may hold), for every event
 * of every request, against ~0.05 µs by a Set (test: src/models/schema-enum.test.ts). Written here because Ajv has no
 * option for it. Same answers: `Set.has` is `===` for strings, booleans and null, and for numbers but NaN (which JSON
 * does not carry) and -0, which `===` and Ajv's equal also take for 0. An enum holding an object or array is checked
 * as Ajv does, value by value with Ajv's deep equal. A refused value gets Ajv's error for `enum`: keyword "enum",
 * params.allowedValues, "must be equal to one of the allowed values", the schema path ending in /enum.
 */
export function useSetEnum(ajv: Ajv): void {
  ajv.removeKeyword('enum');
  ajv.addKeyword({
    keyword: 'enum',
    schemaType: 'array',
    errors: true,
    compile(allowed: unknown[]) {
      const primitive = allowed.every((v) => v === null || typeof v !== 'object');
      const set = primitive ? new Set<unknown>(allowed) : null;
      const error: Partial<ErrorObject> = { keyword: 'enum', params: { allowedValues: allowed }, message: 'must be equal to one of the allowed values' };
      const check = (data: unknown): boolean => (set !== null ? set.has(data) : allowed.some((v) => equal(v, data)));
      const validate: DataValidateFunction = (data: unknown): boolean => {
        if (check(data)) return true;
        validate.errors = [{ ...error }];
        return false;
      };
      return validate;
    },
  });
}
