// Time as the connection sees it: injected, so that tests move it by hand.

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** One timer per name: starting a timer replaces the running one of the same name. */
export class NamedTimers<Name extends string> {
  private readonly handles = new Map<Name, unknown>();

  constructor(private readonly clock: Clock) {}

  start(name: Name, ms: number, callback: () => void): void {
    this.clear(name);
    this.handles.set(
      name,
      this.clock.setTimeout(() => {
        this.handles.delete(name);
        callback();
      }, ms),
    );
  }

  clear(...names: Name[]): void {
    for (const name of names) {
      if (!this.handles.has(name)) continue;
      this.clock.clearTimeout(this.handles.get(name));
      this.handles.delete(name);
    }
  }
}
