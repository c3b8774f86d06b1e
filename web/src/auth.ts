import { h } from './dom.js';

const KEY = 'lookout.apiKey';

/** The API key lives in sessionStorage: gone when the tab closes, never in localStorage or a cookie. */
export function getKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

/** The login form shown when the server asks for a key (HTTP 401). */
export function loginForm(reason: string, done: () => void): HTMLElement {
  const input = h('input', { type: 'password', name: 'apiKey', id: 'api-key', autocomplete: 'off', placeholder: 'lk_…', required: true });
  const form = h('form.login', {
    onsubmit: (e: Event) => {
      e.preventDefault();
      setKey(input.value.trim());
      done();
    },
  },
  h('h2', null, 'Sign in'),
  h('p', null, 'This Lookout server needs an API key (scope "read" to look, "admin" to act). It is kept in this browser tab only.'),
  h('p.muted', null, reason),
  h('label', { for: 'api-key' }, 'API key'), input,
  h('button', { type: 'submit' }, 'Sign in'));
  return form;
}
