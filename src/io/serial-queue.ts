/** Runs async tasks one at a time, in call order (a failing task does not stop later ones). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(task, task);
    const settled = (): void => void this.queued--;
    this.tail = result.then(settled, settled);
    return result;
  }

  /** Tasks queued and not settled yet. */
  get pending(): number {
    return this.queued;
  }

  /** Resolves once every task queued so far has settled. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
