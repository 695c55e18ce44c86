// What every test client does with the packets it receives, written once for the Workers pool
// (test/worker/client.ts) and for Node (test/support/ws-client.ts): keep them all, in order, and wait for the ones
// a test expects. Standard JavaScript only, so that both can import it.

export interface Inbox<P> {
  /** Every packet received so far, in order. */
  readonly received: P[];
  /** Records a packet just received, and wakes whoever waits for one like it. */
  add(packet: P): void;
  /** The first packet not taken before that matches, waiting for it if need be; takes it. */
  next(match: (packet: P) => boolean, timeoutMs?: number): Promise<P>;
  /** Waits until `count` packets match in all (taken or not); resolves with every match so far. */
  collect(match: (packet: P) => boolean, count: number, timeoutMs?: number): Promise<P[]>;
  /**
   * Waits for the first packet that matches (taken or not), and resolves with every packet received up to it, it
   * included. With a marker that the server sends after everything a test counts (the echo of a chat sent last),
   * this is all of them: the count is then final, with no wait for stragglers.
   */
  upTo(match: (packet: P) => boolean, timeoutMs?: number): Promise<P[]>;
}

/** An empty inbox whose waits time out after `defaultTimeoutMs` unless told otherwise. */
export function createInbox<P>(defaultTimeoutMs: number): Inbox<P> {
  const received: P[] = [];
  const taken = new Set<number>();
  const wakers = new Set<() => void>();

  /** Resolves with what `ready` returns once it returns something, checking after each packet. */
  const waitFor = <T>(ready: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = ready();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms; received: ${JSON.stringify(received).slice(-2000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        wakers.delete(check);
      };
      wakers.add(check);
      check();
    });

  return {
    received,
    add(packet) {
      received.push(packet);
      for (const wake of [...wakers]) wake();
    },
    next: (match, timeoutMs = defaultTimeoutMs) =>
      waitFor(
        () => {
          const index = received.findIndex((packet, i) => !taken.has(i) && match(packet));
          if (index === -1) return undefined;
          taken.add(index);
          return received[index];
        },
        timeoutMs,
        "matching packet",
      ),
    collect: (match, count, timeoutMs = defaultTimeoutMs) =>
      waitFor(
        () => {
          const matching = received.filter(match);
          return matching.length >= count ? matching : undefined;
        },
        timeoutMs,
        `${count} matching packets`,
      ),
    upTo: (match, timeoutMs = defaultTimeoutMs) =>
      waitFor(
        () => {
          const index = received.findIndex(match);
          return index === -1 ? undefined : received.slice(0, index + 1);
        },
        timeoutMs,
        "marker packet",
      ),
  };
}
