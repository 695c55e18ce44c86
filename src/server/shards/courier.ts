// Carries items from one object to another in batches, one batch in flight at a time: whatever is pushed while a
// batch travels leaves together in the next one. So under load the calls per item fall (a hub sends one call per
// shard for a whole burst of messages, not one per message), and batches arrive in the order they were sealed. A
// batch that fails is sent again, the same batch (the receiver tells a repeat by its number), a few times; then it
// is given up, and `lost` decides what its items' senders hear.

/** Tries per batch, and the wait before the second (doubled before each next one). */
const TRIES = 3;
const FIRST_RETRY_MS = 50;

export class Courier<Item, Batch> {
  private queue: Item[] = [];
  private travelling = false;

  constructor(
    /** Makes a batch of the items queued (numbering it, say). */
    private readonly seal: (items: Item[]) => Batch,
    private readonly carry: (batch: Batch) => Promise<void>,
    private readonly lost: (items: Item[], error: unknown) => void,
  ) {}

  push(item: Item): void {
    this.queue.push(item);
    // Everything pushed within this turn of the event loop goes in one batch.
    if (!this.travelling && this.queue.length === 1) queueMicrotask(() => void this.next());
  }

  private async next(): Promise<void> {
    if (this.travelling || this.queue.length === 0) return;
    this.travelling = true;
    const items = this.queue;
    this.queue = [];
    const batch = this.seal(items);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.carry(batch);
          break;
        } catch (error) {
          if (attempt === TRIES) {
            this.lost(items, error);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, FIRST_RETRY_MS * 2 ** (attempt - 1)));
        }
      }
    } finally {
      this.travelling = false;
      void this.next();
    }
  }
}
