/**
 * A shared budget of readings per second for all connections (`--rate`). The budget accrues with
 * the clock; at most `burstS` seconds of unused budget is kept, so a stall is not followed by a
 * flood that would measure the burst instead of the steady rate.
 */
export class RateGate {
  private spent = 0;
  private readonly startedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burstS = 0.05,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  /** Takes `n` readings from the budget if it holds them. */
  take(n: number): boolean {
    const earned = (this.perSecond * (this.now() - this.startedAt)) / 1000;
    const burst = Math.max(n, this.perSecond * this.burstS);
    if (earned - this.spent > burst) this.spent = earned - burst;
    if (earned - this.spent < n) return false;
    this.spent += n;
    return true;
  }
}
