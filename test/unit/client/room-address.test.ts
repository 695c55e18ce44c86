import { describe, expect, it } from "vitest";
import { roomFromPath, roomLink, roomSocketUrl } from "../../../src/client/room-address";

describe("room addresses", () => {
  it("finds the room in the page's path, the lobby at / and for anything it cannot use", () => {
    expect(roomFromPath("/")).toBe("lobby");
    expect(roomFromPath("/rooms/general")).toBe("general");
    expect(roomFromPath("/rooms/a.b_c-1/")).toBe("a.b_c-1");
    expect(roomFromPath("/rooms/no%20spaces")).toBe("lobby");
    expect(roomFromPath("/rooms/a/b")).toBe("lobby");
    expect(roomFromPath("/index.html")).toBe("lobby");
  });

  it("links to the room and connects to it over ws or wss as the page was loaded", () => {
    expect(roomLink("https://chat.example", "general")).toBe("https://chat.example/rooms/general");
    expect(roomSocketUrl({ protocol: "https:", host: "chat.example" }, "general")).toBe(
      "wss://chat.example/rooms/general",
    );
    expect(roomSocketUrl({ protocol: "http:", host: "127.0.0.1:8787" }, "lobby")).toBe(
      "ws://127.0.0.1:8787/rooms/lobby",
    );
  });
});
