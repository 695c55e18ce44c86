// A shard applies the hub's deliveries in the order the hub numbered them, each once, whatever order the calls
// arrive in: a delivery that comes early waits for the ones before it, and one seen before is dropped. A hub that
// starts again starts a new epoch (its start time) and numbers from 1 again; deliveries of an older epoch still
// travelling are dropped, since the new hub re-sends the messages they held (hub-side.ts, `rebuild`).

import type { Delivery } from "./wire";

export class InOrder {
  /** The hub's epoch being applied; undefined until this instance sees a delivery. */
  private epoch: number | undefined;
  private expected = 1;
  private readonly early = new Map<number, Delivery>();

  /** The deliveries to apply now, in order: `delivery` and any that waited for it; none if it must wait or repeats. */
  take(delivery: Delivery): Delivery[] {
    if (this.epoch === undefined) {
      // The hub sends tick n only once tick n − 1 was taken: a shard that has no memory (it just started, or woke
      // from hibernation) and sees tick n has taken every earlier one, or never had members to take them for.
      this.epoch = delivery.epoch;
      this.expected = delivery.tick;
    } else if (delivery.epoch > this.epoch) {
      this.epoch = delivery.epoch;
      this.expected = 1;
      this.early.clear();
    }
    if (delivery.epoch < this.epoch || delivery.tick < this.expected || this.early.has(delivery.tick)) return [];
    this.early.set(delivery.tick, delivery);
    const ready: Delivery[] = [];
    for (let next = this.early.get(this.expected); next; next = this.early.get(this.expected)) {
      this.early.delete(next.tick);
      ready.push(next);
      this.expected++;
    }
    return ready;
  }
}
