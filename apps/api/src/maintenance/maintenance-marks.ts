import { Injectable } from '@nestjs/common';
import { MaintenanceCalendar, MaintenanceRepository } from '@citypulse/alert-config';
import type { Alert } from '@citypulse/alert-store';

/** What the API adds to an alert about maintenance. */
export interface MaintenanceMark {
  /** Raised under a maintenance window (`suppressedBy` names it): recorded, notified no one. */
  suppressed: boolean;
  /** Not resolved, and its device is in a maintenance window open now. */
  underMaintenance: boolean;
  /** The window open now and when this opening ends, when underMaintenance. */
  maintenanceWindow?: { id: string; until: string };
}

/**
 * Marks alerts with their device's maintenance now, from the windows cached in this process
 * (one GET of the windows' version per call; reloaded only after a change).
 */
@Injectable()
export class MaintenanceMarks {
  private readonly calendar: MaintenanceCalendar;

  constructor(windows: MaintenanceRepository) {
    this.calendar = new MaintenanceCalendar(windows);
  }

  async mark<T extends Alert>(alerts: T[]): Promise<Array<T & MaintenanceMark>> {
    await this.calendar.refresh();
    const nowMs = Date.now();
    return alerts.map((alert) => {
      const open = alert.state === 'resolved' ? undefined : this.calendar.openFor(alert, nowMs);
      return {
        ...alert,
        suppressed: alert.suppressedBy !== undefined,
        underMaintenance: open !== undefined,
        ...(open && { maintenanceWindow: { id: open.window.id, until: new Date(open.opening.endMs).toISOString() } }),
      };
    });
  }
}
