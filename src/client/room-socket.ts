// One socket to the room at a time, opened with a fresh token when the app gives them (token-refresh.ts). A socket
// let go of is no longer ours: its events are ignored, and so is a token that arrives for an attempt given up on.

import type { ConnectionOptions } from "./connection-options";
import type { SocketHandlers, SocketLike } from "./socket";
import { withToken } from "./token";

export class RoomSocket {
  /** The socket, while it is ours. */
  current: SocketLike | undefined;
  /** Counts attempts and drops: a token that arrives for an attempt given up on since is not used. */
  private attempt = 0;
  /** An attempt is waiting for its token. */
  private fetchingToken = false;

  constructor(
    private readonly options: Pick<ConnectionOptions, "url" | "token" | "createSocket">,
    private readonly on: SocketHandlers,
  ) {}

  /** A socket is open, or on its way. */
  get busy(): boolean {
    return this.current !== undefined || this.fetchingToken;
  }

  /** Opens a socket; first gets a token, if the app gives them. One that does not come is a close with no code. */
  connect(): void {
    const { url, token } = this.options;
    if (!token) return this.connectTo(url);
    const attempt = ++this.attempt;
    this.fetchingToken = true;
    token().then(
      (fresh) => attempt === this.attempt && this.connectTo(withToken(url, fresh)),
      () => attempt === this.attempt && this.on.close(),
    );
  }

  /** Lets the socket (or the attempt waiting for its token) go, and hands it back to be closed. */
  release(): SocketLike | undefined {
    const socket = this.current;
    this.current = undefined;
    this.attempt++;
    this.fetchingToken = false;
    return socket;
  }

  private connectTo(url: string): void {
    this.fetchingToken = false;
    const socket: SocketLike = this.options.createSocket(url, {
      open: () => socket === this.current && this.on.open(),
      message: (data) => socket === this.current && this.on.message(data),
      close: (code) => socket === this.current && this.on.close(code),
    });
    this.current = socket;
  }
}
