/**
 * Undo steps of a run, run last-in first-out: at the normal end, on an error, and on Ctrl-C, so a
 * bench never leaves a citypulse process, a mosquitto or a database behind. Each step runs once.
 */
export class Cleanup {
  private steps: Array<{ name: string; run: () => Promise<unknown> }> = [];

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  /** Removes a step that has been done already (e.g. the service stopped early to write its profile). */
  done(name: string): void {
    this.steps = this.steps.filter((s) => s.name !== name);
  }

  async runAll(log: (line: string) => void = console.error): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (err) {
        log(`cleanup "${step.name}" failed: ${(err as Error).message}`);
      }
    }
  }
}
