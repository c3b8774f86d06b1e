/** JSON's number grammar (RFC 8259, section 6): what POST /v1/events reads as a number, here met as text. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * The finite number `text` is when read as JSON reads a number, else undefined. Not Number(): it takes "0x10" as 16,
 * "0b101", "0o17", " 12 " (spaces trimmed), "+5", ".5", "" as 0 and "Infinity", which a JSON body cannot hold as a number.
 */
export function decimalNumber(text: string): number | undefined {
  if (!JSON_NUMBER.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
