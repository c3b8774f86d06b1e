/**
 * A port as written: decimal digits only (`080` is 80). Apart from config-port.ts (which re-exports it) so that the
 * CLI's option parsing does not load the YAML parser: CI time (2026-12-07), every `lookout` command paid for it.
 */
export const DECIMAL_PORT = /^[0-9]{1,5}$/;
