/**
 * What to do about the attempts of a prediction that no upstream answered because none could be called (audit 25: the
 * 503 named the cause only, "1.0.0: no upstream configured", as every `--demo` model answers; a newcomer had to find
 * the command that sets an upstream, an alias or resumes a pause). Only the message gains it: `details.attempts` keep
 * their `error` texts as before. Built on the failure path only (never on an answered prediction's).
 */
export function unavailableHint(model: string, attempts: ReadonlyArray<{ version: string | null; error: string }>): string {
  const m = encodeURIComponent(model);
  const hints = new Set<string>();
  for (const a of attempts) {
    const alias = /^alias "(.*)" is not set$/.exec(a.error)?.[1];
    if (alias !== undefined) {
      hints.add(`point alias "${alias}" at a version: lookout models set-alias ${model} ${alias} VERSION --reason TEXT (PUT /v1/models/${m}/aliases/${encodeURIComponent(alias)})`);
    } else if (a.version === null) {
      continue;
    } else if (a.error === 'no upstream configured') {
      hints.add(`give version ${a.version} its model server's URL: lookout versions update ${model} ${a.version} --upstream URL (PATCH /v1/models/${m}/versions/${encodeURIComponent(a.version)} {"upstream": URL})`);
    } else if (a.error === 'model paused') {
      hints.add(`resume the model: lookout models resume ${model} (POST /v1/models/${m}/resume)`);
    } else if (a.error === 'version paused') {
      hints.add(`resume the version: lookout versions resume ${model} ${a.version} (POST /v1/models/${m}/versions/${encodeURIComponent(a.version)}/resume)`);
    }
  }
  return hints.size === 0 ? '' : `. To serve it: ${[...hints].join('; ')}`;
}
