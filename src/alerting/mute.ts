import { matchesAll } from '../core/rules/matchers.js';
import { inTimeWindow } from '../core/rules/time-window.js';
import type { AlertRecord } from '../storage/alerts.js';
import { silenceState } from './silence-state.js';
import type { Stage, StageContext } from './stage.js';

/** Records a mute flag change on the alert (stored), so the API shows silenced/inhibited. */
async function flag(a: AlertRecord, key: 'silenced' | 'inhibited', value: boolean, ctx: StageContext): Promise<AlertRecord> {
  if (a.state === 'resolved' || a[key] === value) return a;
  const next = { ...a, [key]: value };
  await ctx.store.putAlert(next);
  return next;
}

/** A stage that drops the alerts `muted` says are muted, flagging them. */
function muter(key: 'silenced' | 'inhibited', muted: (a: AlertRecord, ctx: StageContext) => Promise<boolean> | boolean): Stage {
  return async (alerts, ctx) => {
    const out: AlertRecord[] = [];
    for (const a of alerts) {
      const m = await muted(a, ctx);
      const next = await flag(a, key, m, ctx);
      if (!m) out.push(next);
    }
    return out;
  };
}

/** Inhibition: an alert is muted while a firing alert matching a rule's source has the same `equal` labels. */
export const inhibitStage: Stage = muter('inhibited', (a, ctx) => ctx.settings.inhibitRules.some((r) =>
  matchesAll(r.target, a.labels) && ctx.active.some((s) => s.id !== a.id && s.state !== 'resolved' && matchesAll(r.source, s.labels)
    && !matchesAll(r.target, s.labels) && r.equal.every((k) => (s.labels[k] ?? '') === (a.labels[k] ?? '')))));

/** Silences: matchers with a start and an expiry, created through the API or the CLI. */
export const silenceStage: Stage = (() => {
  return muter('silenced', async (a, ctx) => {
    // the silences that have not expired: not every one ever created (expired ones are kept for the API and the dashboard)
    const silences = (ctx.notes['silences'] ??= await ctx.store.listSilences({ endingAfter: ctx.now })) as Awaited<ReturnType<typeof ctx.store.listSilences>>;
    return silences.some((s) => silenceState(s, ctx.now) === 'active' && matchesAll(s.matchers, a.labels));
  });
})();

/** Time windows (maintenance, known retrain windows): notifications are held while one is active. */
export const timeWindowStage: Stage = async (alerts, ctx) => alerts.filter((a) =>
  !ctx.settings.timeWindows.some((w) => inTimeWindow(w, ctx.now) && matchesAll(w.matchers ?? [], a.labels)));
