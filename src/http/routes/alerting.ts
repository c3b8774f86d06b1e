import type { FastifyInstance } from 'fastify';
import type { Alerting } from '../../alerting/setup.js';
import type { AppDeps } from '../deps.js';
import { alertRoutes } from './alerts.js';
import { monitorRoutes } from './monitors.js';
import { silenceRoutes } from './silences.js';

/** Monitors, SLOs, alerts, silences and actions (issue 4). */
export function alertingRoutes(deps: AppDeps, alerting: Alerting) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(monitorRoutes(deps, alerting));
    await app.register(alertRoutes(deps, alerting));
    await app.register(silenceRoutes(deps, alerting));
  };
}
