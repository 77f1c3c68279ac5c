import type { ValueCondition } from './types.js';

/** Is the value (for a rate condition: the rate per second) bad enough to start or keep pending an alert? */
export function breaches(condition: ValueCondition, value: number): boolean {
  switch (condition.kind) {
    case 'above':
      return value > condition.threshold;
    case 'below':
      return value < condition.threshold;
    case 'outside':
      return value < condition.low || value > condition.high;
    case 'rate':
      return value < (condition.min ?? Number.NEGATIVE_INFINITY) || value > (condition.max ?? Number.POSITIVE_INFINITY);
  }
}

/** Has a firing alert's value come back past the clear level (hysteresis)? */
export function clears(condition: ValueCondition, value: number): boolean {
  switch (condition.kind) {
    case 'above':
      return value <= (condition.clearBelow ?? condition.threshold);
    case 'below':
      return value >= (condition.clearAbove ?? condition.threshold);
    case 'outside': {
      const margin = condition.clearMargin ?? 0;
      return value >= condition.low + margin && value <= condition.high - margin;
    }
    case 'rate': {
      const margin = condition.clearMargin ?? 0;
      return (
        value >= (condition.min ?? Number.NEGATIVE_INFINITY) + margin &&
        value <= (condition.max ?? Number.POSITIVE_INFINITY) - margin
      );
    }
  }
}

/** The worse of two values for this condition (the alert's peak). */
export function worse(condition: ValueCondition, a: number, b: number): number {
  switch (condition.kind) {
    case 'above':
      return Math.max(a, b);
    case 'below':
      return Math.min(a, b);
    case 'outside':
    case 'rate': {
      const low = condition.kind === 'outside' ? condition.low : (condition.min ?? condition.max!);
      const high = condition.kind === 'outside' ? condition.high : (condition.max ?? condition.min!);
      return distanceOutside(b, low, high) > distanceOutside(a, low, high) ? b : a;
    }
  }
}

function distanceOutside(value: number, low: number, high: number): number {
  return value < low ? low - value : value > high ? value - high : 0;
}
