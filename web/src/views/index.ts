import type { ViewContext } from '../panel.js';
import { alertsView } from './alerts.js';
import { debugView } from './debug.js';
import { execView } from './exec.js';
import { featureView } from './feature.js';
import { modelView } from './model.js';
import { oncallView } from './oncall.js';
import { overviewView } from './overview.js';
import { registryView } from './registry.js';
import { slosView } from './slos.js';

export interface View {
  /** The navigation entry this view belongs to. */
  nav?: string;
  defaultRange: string;
  render(ctx: ViewContext): Promise<Node>;
}

export const VIEWS: Record<string, View> = {
  overview: overviewView,
  model: { ...modelView, nav: 'overview' },
  feature: { ...featureView, nav: 'overview' },
  exec: execView,
  oncall: oncallView,
  debug: debugView,
  alerts: alertsView,
  slos: slosView,
  registry: registryView,
};
