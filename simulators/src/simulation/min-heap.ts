/**
 * A binary min-heap of [time, index] pairs: the next reading due across thousands of devices. Ties go to the lower
 * index, so order is total.
 */
export class TickHeap {
  private readonly times: number[] = [];
  private readonly indices: number[] = [];

  get size(): number {
    return this.times.length;
  }

  push(time: number, index: number): void {
    this.times.push(time);
    this.indices.push(index);
    let i = this.times.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [time: number, index: number] | undefined {
    if (this.times.length === 0) return undefined;
    const top: [number, number] = [this.times[0], this.indices[0]];
    const lastTime = this.times.pop()!;
    const lastIndex = this.indices.pop()!;
    if (this.times.length > 0) {
      this.times[0] = lastTime;
      this.indices[0] = lastIndex;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.times.length && this.less(l, m)) m = l;
        if (r < this.times.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    return this.times[a] < this.times[b] || (this.times[a] === this.times[b] && this.indices[a] < this.indices[b]);
  }

  private swap(a: number, b: number): void {
    [this.times[a], this.times[b]] = [this.times[b], this.times[a]];
    [this.indices[a], this.indices[b]] = [this.indices[b], this.indices[a]];
  }
}
