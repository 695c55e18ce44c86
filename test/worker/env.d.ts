// The bindings tests see through `cloudflare:test`: the same as the Worker's (src/server/config/env.ts).
import type { Unlisted } from "../../src/server/config/env";

declare global {
  namespace Cloudflare {
    interface Env extends Unlisted {
      /** In the `worker-webhooks` pool only: the receiver of its rooms' webhooks (test/support/webhook-sink.ts). */
      WEBHOOK_SINK?: Fetcher;
    }
  }
}
