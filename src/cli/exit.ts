export const EXIT = {
  ok: 0,
  /** Drift detected and --fail-on-drift given. */
  drift: 1,
  /** Bad input: missing file, unknown column, unreadable format, invalid option. */
  badInput: 2,
  /** A bug: reported with a stack trace. */
  internal: 3,
} as const;
