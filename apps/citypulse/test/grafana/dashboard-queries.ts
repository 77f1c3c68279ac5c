import { readFileSync } from 'node:fs';

/** The provisioned dashboard, as Grafana loads it from the repository. */
export const DASHBOARD_PATH = new URL('../../../../deploy/grafana/dashboards/city-cluster.json', import.meta.url);
export const INFLUX_UID = 'citypulse-influxdb';
export const METRICS_UID = 'citypulse-metrics';

interface Target {
  refId: string;
  datasource: { uid: string };
  /** InfluxQL (raw query mode). */
  query?: string;
  /** PromQL. */
  expr?: string;
}
interface Panel {
  id: number;
  title: string;
  type: string;
  repeat?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  query: string;
  datasource: { uid: string };
}
export interface Dashboard {
  panels: Panel[];
  templating: { list: Variable[] };
}

/** One query of the dashboard: a panel's target or a template variable's. */
export interface DashboardQuery {
  /** `panel 1 "Readings/s by city" A` or `variable city`. */
  where: string;
  datasourceUid: string;
  text: string;
  /** The variable a repeated panel is repeated for (one run per value). */
  repeat?: string;
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Every query of the dashboard: each panel's targets (rows' panels too) and each template variable. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const targets = panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      where: `panel ${panel.id} "${panel.title}" ${t.refId}`,
      datasourceUid: t.datasource.uid,
      text: t.query ?? t.expr ?? '',
      ...(panel.repeat && { repeat: panel.repeat }),
    })),
  );
  const variables = dashboard.templating.list.map((v) => ({
    where: `variable ${v.name}`,
    datasourceUid: v.datasource.uid,
    text: v.query,
  }));
  return [...targets, ...variables];
}

export interface Substitutions {
  /** What `$timeFilter` becomes. */
  timeFilter: string;
  intervalMs: number;
  /** What `$__rate_interval` becomes (PromQL). */
  rateInterval: string;
  /** Each template variable's selected values. */
  variables: Record<string, string[]>;
}

/**
 * A query as Grafana sends it: its macros replaced, and each template variable as the InfluxDB
 * data source formats it — inside a regex (`/^$city$/`) all selected values as an escaped
 * alternation, quoted (`'$device_type'`) one value (a repeated panel's own). Anything left
 * starting with `$` is a variable the substitutions do not know: an error, not a query.
 */
export function interpolate(text: string, s: Substitutions): string {
  const valuesOf = (name: string) => {
    const values = s.variables[name];
    if (!values?.length) throw new Error(`no values for template variable $${name}`);
    return values;
  };
  const out = text
    .replaceAll('$timeFilter', s.timeFilter)
    .replaceAll('$__interval_ms', String(s.intervalMs))
    .replaceAll('$__interval', `${s.intervalMs}ms`)
    .replaceAll('$__rate_interval', s.rateInterval)
    .replace(/\/\^\$(\w+)\$\//g, (_, name: string) => `/^(${valuesOf(name).map(escapeRegex).join('|')})$/`)
    .replace(/'\$(\w+)'/g, (_, name: string) => `'${valuesOf(name)[0]}'`);
  const left = out.match(/\$\w+/);
  if (left) throw new Error(`unknown variable ${left[0]} in: ${text}`);
  return out;
}

function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');
}
