import type { RuleTarget } from '@citypulse/rules';
import { inScope, type MaintenanceWindow } from './maintenance-window.js';
import type { MaintenanceRepository } from './maintenance-repository.js';
import { WindowSchedule, type Opening } from './window-schedule.js';

/** The window a device is under at some time, and until when. */
export interface OpenWindow {
  window: MaintenanceWindow;
  opening: Opening;
}

/**
 * Every maintenance window, cached in this process and indexed by city. `refresh` costs one GET of
 * the version and reloads only after a change, so callers refresh once per job (or request) and then
 * ask `openFor` as often as they like: a lookup is the city's few windows, each answering from its
 * schedule's remembered span (window-schedule.ts).
 */
export class MaintenanceCalendar {
  private byCity = new Map<string, WindowSchedule[]>();
  private loadedVersion?: string;

  /** Without a repository, the calendar holds what `use` gave it (rule evaluation's unit tests). */
  constructor(private readonly repository?: MaintenanceRepository) {}

  async refresh(): Promise<void> {
    if (!this.repository) return;
    const version = await this.repository.version();
    if (version === this.loadedVersion) return;
    this.use(await this.repository.list());
    this.loadedVersion = version;
  }

  use(windows: MaintenanceWindow[]): this {
    const byCity = new Map<string, WindowSchedule[]>();
    for (const window of windows) {
      const list = byCity.get(window.city) ?? [];
      list.push(new WindowSchedule(window));
      byCity.set(window.city, list);
    }
    this.byCity = byCity;
    return this;
  }

  /** The window (first found) that has the device in scope and is open at `atMs`. */
  openFor(target: RuleTarget, atMs: number): OpenWindow | undefined {
    for (const schedule of this.byCity.get(target.city) ?? []) {
      if (!inScope(schedule.window, target)) continue;
      const opening = schedule.openingAt(atMs);
      if (opening) return { window: schedule.window, opening };
    }
    return undefined;
  }

  /** Whether any window exists at all: lets callers skip per-device work in the common case. */
  get empty(): boolean {
    return this.byCity.size === 0;
  }
}
