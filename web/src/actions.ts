import { explain } from './api.js';
import { h } from './dom.js';

/** Who is acting (sent as "by"): asked once per tab, default "dashboard". */
export function actor(): string {
  return sessionStorage.getItem('lookout.user') ?? 'dashboard';
}

/** A short message at the bottom of the page; errors stay until dismissed. */
export function toast(text: string, kind: 'ok' | 'error' = 'ok'): void {
  document.querySelector('.toast')?.remove();
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-testid': 'toast' }, text,
    h('button.link', { onclick: () => el.remove(), 'aria-label': 'dismiss' }, '×'));
  document.body.appendChild(el);
  if (kind === 'ok') setTimeout(() => el.remove(), 6000);
}

/** Asks before doing something that changes production (rollback, pause). Resolves true on confirm. */
export function confirmDialog(title: string, text: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const close = (v: boolean): void => {
      overlay.remove();
      resolve(v);
    };
    const overlay = h('div.overlay', null, h('div.dialog', { role: 'dialog', 'aria-modal': 'true', 'aria-label': title, 'data-testid': 'confirm-dialog' },
      h('h3', null, title), h('p', null, text),
      h('div.actions', null,
        h('button.secondary', { onclick: () => close(false) }, 'Cancel'),
        h('button.danger', { onclick: () => close(true), 'data-testid': 'confirm' }, confirmLabel))));
    document.body.appendChild(overlay);
  });
}

/** Runs a mutation, reports the outcome and re-renders the view on success. */
export async function act(done: string, f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    toast(done);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return true;
  } catch (e) {
    toast(explain(e), 'error');
    return false;
  }
}
