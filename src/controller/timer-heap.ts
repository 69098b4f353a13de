// A min-heap of (due time, key) with lazy deletion: the work queue's delayed items, so that
// thousands of keys share one timer.

interface Entry {
  readonly due: number;
  readonly key: string;
}

export class TimerHeap {
  readonly #heap: Entry[] = [];
  /** The live due time per key; heap entries that disagree are stale and skipped. */
  readonly #due = new Map<string, number>();

  get size(): number {
    return this.#due.size;
  }

  dueOf(key: string): number | undefined {
    return this.#due.get(key);
  }

  /** Schedules `key` at `due`, unless it is already due earlier (earliest wins). */
  schedule(key: string, due: number): void {
    const current = this.#due.get(key);
    if (current !== undefined && current <= due) return;
    this.#due.set(key, due);
    this.#push({ due, key });
  }

  cancel(key: string): void {
    this.#due.delete(key);
    this.#compactIfSparse();
  }

  clear(): void {
    this.#heap.length = 0;
    this.#due.clear();
  }

  /** The earliest live due time, or undefined when empty. */
  peek(): number | undefined {
    this.#dropStale();
    return this.#heap[0]?.due;
  }

  /** Removes and returns every key due at or before `now`, earliest first. */
  popDue(now: number): string[] {
    const keys: string[] = [];
    for (let due = this.peek(); due !== undefined && due <= now; due = this.peek()) {
      const entry = this.#pop();
      this.#due.delete(entry.key);
      keys.push(entry.key);
    }
    return keys;
  }

  #isStale(entry: Entry): boolean {
    return this.#due.get(entry.key) !== entry.due;
  }

  #dropStale(): void {
    while (this.#heap.length > 0 && this.#isStale(this.#heap[0] as Entry)) this.#pop();
  }

  /** Stale entries of cancelled or rescheduled keys are bounded to the live ones. */
  #compactIfSparse(): void {
    if (this.#heap.length <= 64 || this.#heap.length <= 2 * this.#due.size) return;
    const live = this.#heap.filter((entry) => !this.#isStale(entry));
    this.#heap.length = 0;
    for (const entry of live) this.#push(entry);
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Entry).due <= entry.due) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry {
    const heap = this.#heap;
    const top = heap[0] as Entry;
    const last = heap.pop() as Entry;
    if (heap.length > 0) this.#siftDown(last);
    return top;
  }

  #siftDown(entry: Entry): void {
    const heap = this.#heap;
    let i = 0;
    for (;;) {
      const child = this.#smallerChild(i);
      if (child === null || (heap[child] as Entry).due >= entry.due) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = entry;
  }

  #smallerChild(i: number): number | null {
    const heap = this.#heap;
    const left = 2 * i + 1;
    if (left >= heap.length) return null;
    const right = left + 1;
    return right < heap.length && (heap[right] as Entry).due < (heap[left] as Entry).due ? right : left;
  }
}
