import { act, actor, confirmDialog } from '../actions.js';
import { api, optional } from '../api.js';
import { deployments, models } from '../data.js';
import { h } from '../dom.js';
import { num, time } from '../format.js';
import type { ViewContext } from '../panel.js';
import { href, rangeParams } from '../route.js';
import type { Deployment, ModelInfo, Rollout, VersionInfo } from '../types.js';
import { grid, heading, kv, table } from './common.js';

const enc = encodeURIComponent;

function lineage(v: VersionInfo): string {
  const l = v.lineage ?? {};
  const hp = l.hyperparameters ? Object.entries(l.hyperparameters).slice(0, 4).map(([k, x]) => `${k}=${String(x)}`).join(' ') : '';
  return [l.gitCommit && `commit ${l.gitCommit.slice(0, 10)}`, l.dataVersion && `data ${l.dataVersion}`, hp].filter(Boolean).join(' · ') || '—';
}

function rolloutPanel(m: string, r: Rollout | null): Node {
  if (!r) return h('p.empty', null, 'No rollout in progress.');
  const last = r.analyses[r.analyses.length - 1];
  return h('div', { 'data-testid': 'rollout' },
    kv([
      ['Policy', `${r.policy}: ${r.primary} → ${r.candidate}`], ['State', r.endReason ? `${r.state}: ${r.endReason}` : r.blocked ? `${r.state}, blocked: ${r.blocked}` : r.state],
      ['Step', `${r.step + 1} of ${r.steps.length} (${r.steps.join('% → ')}%)`],
      ['Traffic split', h('div.split', null, h('div.split-canary', { style: `width:${r.weight}%` }, `${r.candidate} ${r.weight}%`), h('div.split-primary', null, `${r.primary} ${100 - r.weight}%`))],
    ]),
    last ? table([
      { label: 'Check', value: (c: Rollout['analyses'][number]['checks'][number]) => c.name },
      { label: 'Canary', value: (c) => c.canary, render: (c) => num(c.canary, 4) },
      { label: 'Primary', value: (c) => c.primary, render: (c) => num(c.primary, 4) },
      { label: 'Limit', value: (c) => c.limit, render: (c) => num(c.limit, 4) },
      { label: 'Pass', value: (c) => (c.pass ? 1 : 0), render: (c) => h('span', { class: `badge status-${c.pass ? 'green' : 'red'}` }, c.pass ? 'pass' : 'fail') },
    ], last.checks) : h('p.muted', null, 'No analysis yet.'),
    h('div.actions', null,
      ...rolloutButtons(m, r),
      h('button.secondary', {
        'data-action': 'pause-model',
        onclick: () => void confirmDialog(`Pause ${m}?`, `Pausing stops serving ${m}: requests get the configured fallback or a 503. Needs the admin scope.`, 'Pause model')
          .then((ok) => ok && act(`${m} paused`, () => api(`/v1/models/${enc(m)}/pause`, undefined, { method: 'POST', body: { by: actor() } }))),
      }, 'Pause model (kill switch)')));
}

/** Pause / resume / roll back the rollout itself (POST /v1/models/:name/rollout/{pause,resume,abort}), each confirmed. */
function rolloutButtons(m: string, r: Rollout): HTMLElement[] {
  const button = (verb: 'pause' | 'resume' | 'abort', label: string, text: string, done: string, cls: 'button.secondary' | 'button.danger' = 'button.secondary'): HTMLElement => h(cls, {
    'data-action': `rollout-${verb}`,
    onclick: () => void confirmDialog(`${label}: ${m} ${r.candidate}?`, `${text} Needs the admin scope.`, label)
      .then((ok) => ok && act(done, () => api(`/v1/models/${enc(m)}/rollout/${verb}`, undefined, { method: 'POST', body: { by: actor(), reason: `${label.toLowerCase()} from the dashboard by ${actor()}` } }))),
  }, label);
  const out: HTMLElement[] = [];
  if (r.state === 'running') out.push(button('pause', 'Pause rollout', `The canary ${r.candidate} stops getting traffic until the rollout is resumed.`, `rollout of ${m} paused`));
  if (r.state === 'paused') out.push(button('resume', 'Resume rollout', `The canary ${r.candidate} gets ${r.weight}% of the traffic again.`, `rollout of ${m} resumed`));
  if (r.state === 'running' || r.state === 'paused') out.push(button('abort', 'Roll back rollout', `All traffic goes back to ${r.primary}; the rollout ends as rolled back.`, `rollout of ${m} rolled back`, 'button.danger'));
  return out;
}

async function modelRegistry(ctx: ViewContext, m: ModelInfo): Promise<Node> {
  const [versions, aliases, deps, rollout] = await Promise.all([
    optional<{ versions: VersionInfo[] }>(`/v1/models/${enc(m.name)}/versions`, undefined, { versions: [] }),
    optional<{ aliases: Record<string, string> }>(`/v1/models/${enc(m.name)}/aliases`, undefined, { aliases: {} }),
    deployments(m.name, { from: 0, to: Date.now(), label: 'all' }),
    optional<{ rollout: Rollout | null }>(`/v1/models/${enc(m.name)}/rollout`, undefined, { rollout: null }),
  ]);
  if (!versions.available && !aliases.available) {
    return h('div', null, h('div.notice.not-available', { role: 'status' }, 'The model registry is not available on this server (GET /v1/models/:name/versions does not exist yet). Versions known to monitoring:'),
      table([{ label: 'Version', value: (v: ModelInfo['versions'][number]) => v.version }, { label: 'Created', value: (v) => v.createdAt, render: (v) => time(v.createdAt) },
        { label: 'Reference rows', value: (v) => v.reference?.rows ?? null }], m.versions));
  }
  const rollback = (): void => void confirmDialog(`Roll back ${m.name}?`, `The production alias of ${m.name} goes back to its previous version. Needs the admin scope.`, 'Roll back')
    .then((ok) => ok && act(`${m.name} rolled back`, () => api(`/v1/models/${enc(m.name)}/rollback`, undefined, { method: 'POST', body: { alias: 'production', by: actor(), reason: `rollback from the dashboard by ${actor()}` } })));
  return h('div', null,
    h('h4', null, 'Aliases'), h('p', { 'data-testid': 'aliases' }, Object.entries(aliases.value.aliases).map(([a, v]) => h('span.badge', null, `${a} → ${v}`)), Object.keys(aliases.value.aliases).length ? '' : 'none'),
    h('div.actions', null, h('button.danger', { onclick: rollback, 'data-action': 'rollback' }, 'Roll back production')),
    h('h4', null, 'Versions'),
    table<VersionInfo>([
      { label: 'Version', value: (v) => v.version, render: (v) => h('span', null, v.version, v.paused ? h('span.badge.status-yellow', null, 'paused') : null) },
      { label: 'Created', value: (v) => v.createdAt, render: (v) => time(v.createdAt) },
      { label: 'Artifact', value: (v) => v.artifact?.sha256 ?? null, render: (v) => (v.artifact ? h('code', { title: v.artifact.uri }, v.artifact.sha256.slice(0, 12)) : '—') },
      { label: 'Lineage', value: lineage },
      { label: 'Tags / notes', value: (v) => [...(v.tags ?? []), v.notes ?? ''].join(' ') },
      { label: '', value: () => null, render: (v) => h('button.secondary', {
        onclick: () => void confirmDialog(`${v.paused ? 'Resume' : 'Pause'} ${m.name}@${v.version}?`, 'This changes which version serves traffic. Needs the admin scope.', v.paused ? 'Resume' : 'Pause')
          .then((ok) => ok && act(`${m.name}@${v.version} ${v.paused ? 'resumed' : 'paused'}`, () => api(`/v1/models/${enc(m.name)}/versions/${enc(v.version)}/${v.paused ? 'resume' : 'pause'}`, undefined, { method: 'POST', body: { by: actor() } }))),
      }, v.paused ? 'Resume' : 'Pause') },
    ], versions.value.versions, { testid: 'versions-table' }),
    h('h4', null, 'Deployment history'),
    deps.value.deployments.length ? table<Deployment>([
      { label: 'When', value: (d) => d.at, render: (d) => time(d.at) },
      { label: 'Kind', value: (d) => d.kind },
      { label: 'Alias', value: (d) => d.alias },
      { label: 'Change', value: (d) => `${d.from ?? '∅'} → ${d.to}` },
      { label: 'By', value: (d) => d.by },
      { label: 'Why', value: (d) => d.reason },
    ], [...deps.value.deployments].reverse(), { testid: 'deployments-table' }) : h('p.empty', null, 'No deployments recorded.'),
    h('h4', null, 'Rollout'), rollout.available ? rolloutPanel(m.name, rollout.value.rollout) : h('p.muted', null, 'Rollouts are not available on this server.'));
}

export const registryView = {
  defaultRange: '30d',
  async render(ctx: ViewContext): Promise<Node> {
    const list = await models();
    const only = ctx.route.args[0];
    const shown = only ? list.filter((m) => m.name === only) : list;
    const none = shown.length > 0 ? null : only ? h('div.notice.error', { role: 'status' }, `Unknown model "${only}".`) : h('p.empty', null, 'No models yet. Declare one in lookout.yaml or POST /v1/models (or start with --demo).');
    return h('div', null, heading(ctx, 'Registry & rollouts', only ? h('a.small', { href: href('registry', [], rangeParams(ctx.route.params)) }, 'all models') : ''), none,
      grid(...shown.map((m) => ctx.panel(`${m.name}`, () => modelRegistry(ctx, m), { wide: true, testid: `registry-${m.name}` }))));
  },
};
