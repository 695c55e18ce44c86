// The bindings tests see through `cloudflare:test`: the same as the Worker's.
import type { Env as WorkerEnv } from "../../src/server/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}
