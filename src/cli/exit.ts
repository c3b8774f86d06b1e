export const EXIT = {
  ok: 0,
  /** Drift detected and --fail-on-drift given. */
  drift: 1,
  /** `lookout status --fail-on ...`: a version is unwell by one of the checks asked. */
  unwell: 1,
  /** Bad input: missing file, unknown column, unreadable format, invalid option. */
  badInput: 2,
  /** A bug: reported with a stack trace. */
  internal: 3,
} as const;
