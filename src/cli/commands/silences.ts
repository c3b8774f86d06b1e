import { Command, InvalidArgumentError, Option } from 'commander';
import { SILENCE_STATES } from '../../alerting/silence-state.js';
import { formatMatcher, parseMatcher as parseOne, type Matcher } from '../../core/rules/matchers.js';
import type { SilenceRecord } from '../../storage/alerts.js';
import { EXIT } from '../exit.js';
import { listTable } from '../format.js';
import { api, apiOptions, queryString, type ApiOptions } from '../http.js';
import { writeMore } from '../more-hint.js';
import { parseInteger, parseNonEmpty } from '../parse.js';
import { parseCliDuration } from './rollout-options.js';
import { stateOption } from '../state-option.js';

/** "name=value", "name!=value", "name=~regex" or "name!~regex" (core parseMatcher, which the dashboard's form shares). */
export function parseMatcher(v: string, prev: Matcher[] = []): Matcher[] {
  try {
    return [...prev, parseOne(v)];
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

type AddOpts = ApiOptions & { matcher: Matcher[]; duration?: number; ends?: string; createdBy: string; comment: string };

/** A silence's length: a bad one was an "internal error" with a stack trace (exit 3), 0 a silence already over. */
function silenceDuration(v: string): number {
  const ms = parseCliDuration(v);
  if (!(ms > 0)) throw new InvalidArgumentError(`"${v}" is not a duration more than 0 (e.g. 30m, 2h, 1d)`);
  return ms;
}
const iso = (t: number): string => new Date(t).toISOString();

type ListOpts = ApiOptions & { json?: boolean; state?: string; activeFrom?: string; activeTo?: string; limit?: number; before?: string };

/** What an empty `silences list` says: "no silences in state all muting from 2026-01-01 until 2026-01-02". */
function noneListed(o: ListOpts & { state: string }): string {
  const active = o.activeFrom === undefined && o.activeTo === undefined ? ''
    : ` muting${o.activeFrom === undefined ? '' : ` from ${o.activeFrom}`}${o.activeTo === undefined ? '' : ` until ${o.activeTo}`}`;
  return `no silences${o.state === 'all' ? '' : ` in state ${o.state}`}${active}${o.before === undefined ? '' : ` before ${o.before}`}`;
}

/** `lookout silences list|add|expire`. */
export function silencesCommand(setCode: (c: number) => void): Command {
  const cmd = new Command('silences').description('mute alerts matching label matchers for a while');
  // as amtool: the silences that mute now or will, not the expired ones piling up (a deploy script's daily silences)
  const list = cmd.command('list').description('list silences (latest expiry first)')
    .option('--state <states>', 'active, pending, expired (comma-separated) or all (default: active,pending; all with --active-from/--active-to)', stateOption(SILENCE_STATES))
    // audit 25: as `alerts list --active-from/--active-to` (GET /v1/silences?activeFrom=&activeTo=)
    .option('--active-from <time>', 'only silences muting at this time or later: expiring after it (epoch ms or ISO time)', parseNonEmpty)
    .option('--active-to <time>', 'only silences muting before this time: starting before it (with --active-from: those muting at some moment of the range)', parseNonEmpty)
    .option('--limit <n>', 'silences to list (1 to 10000; default 1000)', parseInteger)
    .option('--before <id>', 'the page after this silence: those expiring before it (the "more:" line)', parseNonEmpty)
    .option('--json', 'print JSON')
    .action(async (o: ListOpts) => {
      // a past range's silences have expired since: without --state, a range lists them whatever their state now
      const ranged = o.activeFrom !== undefined || o.activeTo !== undefined;
      const state = o.state ?? (ranged ? 'all' : 'active,pending');
      const q = { state, activeFrom: o.activeFrom, activeTo: o.activeTo, limit: o.limit?.toString(), before: o.before };
      const { silences, next } = await api(o, 'GET', `/v1/silences${queryString(q)}`) as { silences: Array<SilenceRecord & { state: string }>; next: string | null };
      if (o.json) process.stdout.write(JSON.stringify(silences, null, 2) + '\n');
      else {
        process.stdout.write(listTable(noneListed({ ...o, state }), ['id', 'state', 'matchers', 'starts', 'ends', 'by', 'comment'], silences.map((s) => [
          s.id, s.state, s.matchers.map(formatMatcher).join(','), iso(s.startsAt), iso(s.endsAt), s.createdBy, s.comment,
        ])));
      }
      writeMore('lookout silences list', { state: o.state, 'active-from': o.activeFrom, 'active-to': o.activeTo, limit: o.limit }, 'before', next, o.json);
      setCode(EXIT.ok);
    });
  const add = cmd.command('add').description('create a silence')
    .requiredOption('--matcher <m>', 'label matcher (repeat for several): name=value, name=~regex, name!=value', parseMatcher, [])
    // both: --ends was taken and --duration ignored without a word
    .addOption(new Option('--duration <d>', 'how long from now, e.g. 2h (default 1h)').argParser(silenceDuration).conflicts('ends'))
    .option('--ends <time>', 'end time (ISO-8601; without a zone: UTC) instead of --duration')
    .requiredOption('--created-by <name>', 'who creates it')
    .requiredOption('--comment <text>', 'why')
    .action(async (o: AddOpts) => {
      let endsAt: number | string;
      // the server reads the time as every API time (no zone: UTC, whatever this machine's or the server's zone)
      if (o.ends !== undefined) endsAt = o.ends;
      else {
        // the duration counts from the server's clock: ask it (its /healthz time) rather than trusting ours
        const ms = o.duration ?? 3_600_000;
        const health = await api(o, 'GET', '/healthz');
        endsAt = (typeof health['time'] === 'number' ? health['time'] : Date.now()) + ms;
      }
      const { silence } = await api(o, 'POST', '/v1/silences', { matchers: o.matcher, endsAt, createdBy: o.createdBy, comment: o.comment }) as { silence: SilenceRecord };
      process.stdout.write(`silence ${silence.id} created, until ${iso(silence.endsAt)}\n`);
      setCode(EXIT.ok);
    });
  const expire = cmd.command('expire <id>').description('expire a silence now').action(async (id: string, o: ApiOptions) => {
    const { silence } = await api(o, 'DELETE', `/v1/silences/${encodeURIComponent(id)}`) as { silence: SilenceRecord };
    process.stdout.write(`silence ${silence.id} expired at ${iso(silence.endsAt)}\n`);
    setCode(EXIT.ok);
  });
  for (const c of [list, add, expire]) for (const o of apiOptions(c === list ? 'read' : 'admin')) c.addOption(o);
  return cmd;
}
