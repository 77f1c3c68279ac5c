export { inScope, type MaintenanceWindow, type Recurrence } from './maintenance-window.js';
export { WindowSchedule, type Opening } from './window-schedule.js';
export { MaintenanceRepository } from './maintenance-repository.js';
export { MaintenanceCalendar, type OpenWindow } from './maintenance-calendar.js';
export { cronProblem, isKnownTimeZone } from './recurrence-checks.js';
