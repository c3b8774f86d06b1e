/**
 * The `dashboardUrl` of an alert's context: an absolute link to a dashboard view (`route` like "/ui/#/model/churn"),
 * or none without a dashboard base URL (a relative link means nothing in Slack, a webhook receiver or Alertmanager).
 */
export function dashboardLink(base: string, route: string): { dashboardUrl?: string } {
  return base === '' ? {} : { dashboardUrl: `${base.replace(/\/+$/, '')}${route}` };
}
