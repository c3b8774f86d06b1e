import { Command } from 'commander';
import { ACTION_STATES, type ActionRecord } from '../../storage/alerts.js';
import { EXIT } from '../exit.js';
import { listTable, minuteTime } from '../format.js';
import { api, apiOptions, queryString, type ApiOptions } from '../http.js';
import { writeMore } from '../more-hint.js';
import { parseInteger, parseModelName, parseNonEmpty } from '../parse.js';
import { stateOption } from '../state-option.js';

type ListOpts = ApiOptions & { state: string; model?: string; limit?: number; before?: string; json?: boolean };
type DecideOpts = ApiOptions & { by?: string; json?: boolean };

/**
 * `lookout actions list|approve|reject`: the actions alerts ran or queued (retrain, rollback), and the human approval
 * of those configured with `approval: true` (they wait as pending_approval), through the HTTP API.
 */
export function actionsCommand(setCode: (c: number) => void): Command {
  const cmd = new Command('actions').description('list the actions alerts ran or queued (retrain, rollback); approve or reject those waiting for approval');
  const list = cmd.command('list').description('list actions (newest first)')
    .option('--state <states>', `${ACTION_STATES.join(', ')} (comma-separated) or all`, stateOption(ACTION_STATES), 'all')
    .option('--model <name>', 'only this model', parseModelName)
    .option('--limit <n>', 'actions to list (1 to 10000; default 1000)', parseInteger)
    .option('--before <id>', 'the page after this action: older ones (the "more:" line)', parseNonEmpty)
    .option('--json', 'print JSON')
    .action(async (o: ListOpts) => {
      const { actions, next } = await api(o, 'GET', `/v1/actions${queryString({ state: o.state, model: o.model, limit: o.limit?.toString(), before: o.before })}`) as { actions: ActionRecord[]; next: string | null };
      if (o.json) process.stdout.write(JSON.stringify(actions, null, 2) + '\n');
      else {
        process.stdout.write(listTable(`no actions${o.state === 'all' ? '' : ` in state ${o.state}`}${o.model === undefined ? '' : ` of model ${o.model}`}${o.before === undefined ? '' : ` before ${o.before}`}`, ['id', 'state', 'kind', 'model', 'alert', 'at', 'note'], actions.map((a) => [
          a.id, a.state, a.kind, a.model, a.alertId ?? '-', minuteTime(a.at), typeof a.detail['note'] === 'string' ? a.detail['note'] : '',
        ])));
      }
      writeMore('lookout actions list', { state: o.state, model: o.model, limit: o.limit }, 'before', next, o.json);
      setCode(EXIT.ok);
    });
  for (const o of apiOptions('read')) list.addOption(o);
  for (const verb of ['approve', 'reject'] as const) {
    const sub = cmd.command(`${verb} <id>`).description(verb === 'approve' ? 'approve an action waiting for approval: it runs now' : 'reject an action waiting for approval: it does not run')
      .option('--by <name>', 'who (default: the API key name)')
      .option('--json', 'print JSON')
      .action(async (id: string, o: DecideOpts) => {
        const { action } = await api(o, 'POST', `/v1/actions/${encodeURIComponent(id)}/${verb}`, { ...(o.by && { by: o.by }) }) as { action: ActionRecord };
        const note = typeof action.detail['note'] === 'string' ? ` (${action.detail['note']})` : '';
        process.stdout.write(o.json ? JSON.stringify(action, null, 2) + '\n' : `action ${action.id} (${action.kind} of ${action.model}): ${action.state}${note}\n`);
        setCode(EXIT.ok);
      });
    for (const opt of apiOptions()) sub.addOption(opt);
  }
  return cmd;
}
