import { ApiFailure, explain } from './api.js';
import { clear, h } from './dom.js';
import type { Range, Route } from './route.js';

export interface PanelOptions {
  /** Loaded after the first paint; not counted in the page's "ready" time (slow, optional panels). */
  deferred?: boolean;
  wide?: boolean;
  testid?: string;
}

/**
 * One view being rendered: its route and range, and the panels it loads. Every panel loads on its own and
 * shows a loading state, its content, a "not available" note (endpoint absent) or a clear error; the view
 * is "ready" once the non-deferred panels have settled and "complete" once all have.
 */
export class ViewContext {
  private readonly main: Array<Promise<unknown>> = [];
  private readonly deferredWork: Array<Promise<unknown>> = [];
  private openGate: () => void = () => {};
  /**
   * Deferred panels start loading once the main ones have settled, so they do not slow the first paint; the
   * gate never opens for a view the user has already left.
   */
  private readonly gate = new Promise<void>((resolve) => (this.openGate = resolve));

  constructor(readonly route: Route, readonly range: Range, private readonly current: () => boolean) {}

  panel(title: string, load: () => Promise<Node | Node[] | null>, opts: PanelOptions = {}): HTMLElement {
    const body = h('div.panel-body', null, h('p.loading', null, 'Loading…'));
    const el = h('section.panel', { class: opts.wide ? 'wide' : null, 'data-testid': opts.testid ?? null, 'data-state': 'loading' }, h('h3', null, title), body);
    const p = (async () => {
      try {
        if (opts.deferred) await this.gate;
        const content = await load();
        if (!this.current()) return;
        clear(body, content ?? h('p.empty', null, 'Nothing to show.'));
        // A chart titled like its panel does not repeat the title.
        for (const c of body.querySelectorAll('figcaption')) if (c.textContent === title) c.remove();
        el.dataset['state'] = 'ok';
      } catch (e) {
        if (!this.current()) return;
        const missing = e instanceof ApiFailure && e.missingEndpoint;
        const forbidden = e instanceof ApiFailure && e.status === 403;
        // 422: the server cannot compute it in this state (a version without a reference has no drift), not a failure:
        // said as the model view says it, not in a red error box (until audit 23)
        const notComputable = e instanceof ApiFailure && e.status === 422;
        clear(body, h('div', { class: missing || notComputable ? 'notice not-available' : forbidden ? 'notice forbidden' : 'notice error', role: 'status' }, explain(e)));
        el.dataset['state'] = missing ? 'not-available' : notComputable ? 'not-computable' : forbidden ? 'forbidden' : 'error';
        if (!missing && !forbidden && !notComputable) console.warn(`panel "${title}":`, e);
      }
    })();
    (opts.deferred ? this.deferredWork : this.main).push(p);
    return el;
  }

  /** Work that starts once the main panels have settled (counted in "complete", not "ready"). */
  later<T>(f: () => Promise<T>): Promise<T> {
    const p = this.gate.then(f);
    this.deferredWork.push(p.catch(() => undefined));
    return p;
  }

  /** Resolves when the main panels have settled (ready) and when all have (complete). */
  async settle(onReady: () => void, onComplete: () => void): Promise<void> {
    await Promise.all(this.main);
    if (!this.current()) return;
    this.openGate();
    onReady();
    // Deferred work may add more deferred work (e.g. a panel whose rows load their details later).
    for (let seen = -1; seen < this.deferredWork.length;) {
      seen = this.deferredWork.length;
      await Promise.all(this.deferredWork);
    }
    if (this.current()) onComplete();
  }
}
