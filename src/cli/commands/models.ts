import { Command, InvalidArgumentError } from 'commander';
import { action, api, print, withApiOptions, type ApiOptions } from '../api.js';
import { MAX_MODELS_PAGE } from '../../http/model-pages.js';
import { listTable } from '../format.js';
import { pool } from '../../io/pool.js';
import { parseInteger, parseNonEmpty } from '../parse.js';

type Opts = ApiOptions & { reason?: string; by?: string; from?: string; to?: string };

const iso = (t: unknown): string => (typeof t === 'number' ? new Date(t).toISOString() : '-');

/** `lookout models ...`: list, aliases, set-alias, history, pause, resume (over the HTTP API). */
export function modelsCommand(setCode: (c: number) => void): Command {
  const models = new Command('models').description('models in the registry (talks to a running server: --url, --api-key)');
  withApiOptions(models.command('list').description('list models'))
    .option('--page-size <n>', `models asked for per request (1 to ${MAX_MODELS_PAGE}); every page is read`, pageSize, 500)
    .action(action(setCode, async (o: Opts & { pageSize: number }) => {
      const list = await everyModel(o, o.pageSize);
      // Every version, registered or only monitored (GET /v1/models lists the monitored ones), and where the aliases point:
      // a few requests at a time (all at once opened one connection per model: thousands with many models).
      const versions = await pool(list, 8, (m) => api<{ versions: Array<{ version: string; aliases: string[] }> }>(o, 'GET', `/v1/models/${encodeURIComponent(m.name)}/versions`));
      // --json: the one answer of a server without pages, every page's models together ({models}, as before paging)
      const r = { models: list };
      // nothing to list: said in a line (audit 24), not a table header alone
      // default: the version queries, monitors and SLOs without one read (audit 26: the serving alias's, else the newest)
      print(o, r, () => listTable('no models', ['model', 'kind', 'versions', 'default', 'aliases'], list.map((m, i) => {
        const vs = versions[i]?.versions ?? [];
        const aliases = vs.flatMap((v) => v.aliases.map((a) => `${a}=${v.version}`)).sort();
        return [m.name, m.outputKind, String(vs.length), typeof m['defaultVersion'] === 'string' ? m['defaultVersion'] : '-', aliases.join(', ') || '-'];
      })));
    }));
  withApiOptions(models.command('aliases <model>').description('aliases of a model')).action(action(setCode, async (model: string, o: Opts) => {
    const r = await api<{ aliases: Record<string, string> }>(o, 'GET', `/v1/models/${encodeURIComponent(model)}/aliases`);
    print(o, r, () => listTable(`model ${model} has no aliases`, ['alias', 'version'], Object.entries(r.aliases)));
  }));
  withApiOptions(models.command('set-alias <model> <alias> <version>').description('point an alias at a version (recorded in the history)'))
    .requiredOption('--reason <text>', 'why (kept in the deployment history)').option('--by <name>', 'who')
    .action(action(setCode, async (model: string, alias: string, version: string, o: Opts) => {
      const r = await api<{ previous: string | null }>(o, 'PUT', `/v1/models/${encodeURIComponent(model)}/aliases/${encodeURIComponent(alias)}`, { version, reason: o.reason, ...(o.by && { by: o.by }) });
      // the server leaves an alias already on the version as it is and records nothing: "1.0.0 -> 1.0.0" read as a change
      print(o, r, () => (r.previous === version ? `${model} ${alias}: already ${version} (nothing changed, nothing recorded)\n` : `${model} ${alias}: ${r.previous ?? '(unset)'} -> ${version}\n`));
    }));
  withApiOptions(models.command('history <model>').description('deployment history: alias changes, promotions, rollbacks, pauses'))
    .option('--from <time>', 'epoch ms or ISO time', parseNonEmpty).option('--to <time>', 'epoch ms or ISO time', parseNonEmpty)
    .action(action(setCode, async (model: string, o: Opts) => {
      const q = new URLSearchParams({ ...(o.from && { from: o.from }), ...(o.to && { to: o.to }) });
      const r = await api<{ deployments: Array<Record<string, unknown>> }>(o, 'GET', `/v1/models/${encodeURIComponent(model)}/deployments?${q.toString()}`);
      print(o, r, () => listTable(`no deployments of model ${model}${o.from === undefined && o.to === undefined ? '' : ' in the range'}`, ['at', 'kind', 'alias', 'from', 'to', 'by', 'reason'], r.deployments.map((d) => [
        iso(d.at), String(d.kind), String(d.alias || '-'), String(d.from ?? '-'), String(d.to), String(d.by), String(d.reason),
      ])));
    }));
  for (const verb of ['pause', 'resume'] as const) {
    withApiOptions(models.command(`${verb} <model>`).description(verb === 'pause' ? 'kill switch: stop serving the model (fallbacks answer)' : 'serve the model again'))
      .option('--reason <text>', 'why').option('--by <name>', 'who')
      .action(action(setCode, async (model: string, o: Opts) => {
        const r = await api<{ paused: boolean; changed?: boolean }>(o, 'POST', `/v1/models/${encodeURIComponent(model)}/${verb}`, { ...(o.reason && { reason: o.reason }), ...(o.by && { by: o.by }) });
        print(o, r, () => `${model}: ${r.paused ? 'paused' : 'serving'}${r.changed === false ? ' (already; nothing changed)' : ''}\n`);
      }));
  }
  return models;
}

type Listed = { name: string; outputKind: string } & Record<string, unknown>;

/** Every model, page after page (GET /v1/models?limit=N, following `next`; a server without pages answers all at once). */
async function everyModel(o: ApiOptions, size: number): Promise<Listed[]> {
  const out: Listed[] = [];
  let after: string | null | undefined;
  for (;;) {
    const q = new URLSearchParams({ limit: String(size), ...(after && { after }) });
    const r = await api<{ models: Listed[]; next?: string | null }>(o, 'GET', `/v1/models?${q.toString()}`);
    out.push(...r.models);
    if (!r.next || r.models.length === 0) return out;
    after = r.next;
  }
}

function pageSize(value: string): number {
  const n = parseInteger(value);
  if (n < 1 || n > MAX_MODELS_PAGE) throw new InvalidArgumentError(`"${value}" is not a page size: 1 to ${MAX_MODELS_PAGE} models.`);
  return n;
}
