/** Alert severities as the escalation policies name them (one policy per city and severity). */
export const SEVERITY_NAMES = ['info', 'warning', 'critical'] as const;
export type AlertSeverityName = (typeof SEVERITY_NAMES)[number];
