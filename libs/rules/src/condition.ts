import type { Condition } from './types.js';

/** Is the value bad enough to start (or keep pending) an alert? */
export function breaches(condition: Condition, value: number): boolean {
  switch (condition.kind) {
    case 'above':
      return value > condition.threshold;
    case 'below':
      return value < condition.threshold;
    case 'outside':
      return value < condition.low || value > condition.high;
  }
}

/** Has a firing alert's value come back past the clear level (hysteresis)? */
export function clears(condition: Condition, value: number): boolean {
  switch (condition.kind) {
    case 'above':
      return value <= (condition.clearBelow ?? condition.threshold);
    case 'below':
      return value >= (condition.clearAbove ?? condition.threshold);
    case 'outside': {
      const margin = condition.clearMargin ?? 0;
      return value >= condition.low + margin && value <= condition.high - margin;
    }
  }
}

/** The worse of two values for this condition (the alert's peak). */
export function worse(condition: Condition, a: number, b: number): number {
  switch (condition.kind) {
    case 'above':
      return Math.max(a, b);
    case 'below':
      return Math.min(a, b);
    case 'outside': {
      const mid = (condition.low + condition.high) / 2;
      return Math.abs(b - mid) > Math.abs(a - mid) ? b : a;
    }
  }
}
