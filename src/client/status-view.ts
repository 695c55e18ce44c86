// The connection status, always on screen: connecting, online, reconnecting in N s, offline.

import type { ConnectionStatus } from "./connection-events";
import { el } from "./dom";
import { mayRejoin as mayRejoinAfter } from "./removal";

export class StatusView {
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly status: HTMLElement,
    private readonly retry: HTMLButtonElement,
    onRetry: () => void,
  ) {
    retry.addEventListener("click", onRetry);
  }

  show(status: ConnectionStatus): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.status.dataset.state = status.state;
    // After a kick or the room's deletion, rejoining is the user's choice; after a ban, or with an expired token, there is none.
    const mayRejoin = status.state === "offline" && status.reason === "removed" && mayRejoinAfter(status.removal);
    this.retry.hidden = !(
      status.state === "reconnecting" ||
      (status.state === "offline" && status.reason === "gave_up") ||
      mayRejoin
    );
    this.retry.textContent = status.state === "reconnecting" ? "Retry now" : mayRejoin ? "Rejoin" : "Reconnect";

    switch (status.state) {
      case "connecting":
        return this.render(status.attempt === 0 ? "Connecting…" : `Reconnecting… (try ${status.attempt})`);
      case "online":
        return this.render("Online");
      case "reconnecting": {
        // The countdown is for the eye only: a screen reader would otherwise hear it every second.
        const countdown = el("span", { attrs: { "aria-hidden": "true" } });
        const tick = () => {
          const seconds = Math.max(0, Math.ceil((status.retryAt - Date.now()) / 1000));
          countdown.textContent = ` in ${seconds} s`;
        };
        tick();
        this.ticker = setInterval(tick, 250);
        return this.render("Reconnecting", countdown, ` (try ${status.attempt})`);
      }
      case "offline":
        if (status.reason === "removed") {
          return this.render(
            {
              kicked: "Removed by a moderator",
              banned: "Banned from this room",
              room_deleted: "The room was deleted",
              token_expired: "Offline: your token expired",
              replaced: "Offline: you went on in another tab or device",
            }[status.removal.kind],
          );
        }
        return this.render(
          {
            closed: "Offline",
            gave_up: "Offline: the room cannot be reached",
            rejected: "Offline: the room refused to let you join",
          }[status.reason],
        );
    }
  }

  private render(...parts: (string | Node)[]): void {
    this.status.replaceChildren(el("span", { className: "dot", attrs: { "aria-hidden": "true" } }), ...parts);
  }
}
