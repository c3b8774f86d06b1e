import { h } from './dom.js';
import { RANGES, withParams, type Range, type Route } from './route.js';

/** The value of a datetime-local input (local time, to the minute) for epoch ms. */
function localInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/**
 * The header's time range: a preset, or a custom from/to (entered in local time, put into the URL as ISO-8601 so
 * the link means the same range in any time zone). A start that is not before the end is refused with a message.
 */
export function rangePicker(route: Route, range: Range): HTMLElement {
  const current = route.params.get('from') ? 'custom' : route.params.get('range') ?? '';
  const from = h('input', { type: 'datetime-local', 'aria-label': 'from', value: localInput(range.from), required: true });
  const to = h('input', { type: 'datetime-local', 'aria-label': 'to', value: localInput(range.to), required: true });
  const error = h('span.range-error', { role: 'alert', 'data-testid': 'range-error' });
  const form = h('form.custom-range', {
    hidden: current !== 'custom',
    onsubmit: (e: Event) => {
      e.preventDefault();
      // A datetime-local value without an offset is read as local time.
      const [f, t] = [new Date(from.value).getTime(), new Date(to.value).getTime()];
      if (!Number.isFinite(f) || !Number.isFinite(t)) error.textContent = 'Enter a start and an end.';
      else if (f >= t) error.textContent = 'The start must be before the end.';
      else location.hash = withParams(route, { range: undefined, from: new Date(f).toISOString(), to: new Date(t).toISOString() });
    },
  }, from, '–', to, h('button', { type: 'submit' }, 'Apply'), error);
  const select = h('select', {
    'aria-label': 'time range',
    onchange: (e: Event) => {
      const value = (e.target as HTMLSelectElement).value;
      if (value === 'custom') {
        form.hidden = false;
        from.focus();
      } else location.hash = withParams(route, { range: value, from: undefined, to: undefined });
    },
  }, h('option', { value: '', selected: current === '' }, 'default range'),
  Object.keys(RANGES).map((r) => h('option', { value: r, selected: current === r }, `last ${r}`)),
  h('option', { value: 'custom', selected: current === 'custom' }, 'custom…'));
  return h('span.range-picker', null, select, form);
}
