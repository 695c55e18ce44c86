import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DIRECTORY_REPORT_MS, DirectoryReports } from "../../../../src/server/room/directory-reports";
import type { RoomSettings } from "../../../../src/shared/protocol";

/** A room whose reports are recorded: what the directory was told, and when the alarm was asked to ring by. */
function reportingRoom(settings: RoomSettings) {
  const told: string[] = [];
  const rings: number[] = [];
  const room = { settings, members: 0 };
  const reports = new DirectoryReports({
    name: "lobby",
    directory: () => ({
      report: async ({ title, members }) => void told.push(`${title}: ${members}`),
      remove: async () => void told.push("removed"),
    }),
    settings: () => room.settings,
    members: () => room.members,
    waitUntil: () => {},
    ringBy: (at) => rings.push(at),
  });
  return { reports, room, told, rings };
}

describe("a room's reports to the directory", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("tell a count at once, then at most once per DIRECTORY_REPORT_MS, the last by the alarm", () => {
    const { reports, room, told, rings } = reportingRoom({ slowModeSeconds: 0, listed: true, title: "Lobby" });
    room.members = 1;
    reports.joined([]);
    expect(told).toEqual(["Lobby: 1"]);
    vi.advanceTimersByTime(1000);
    room.members = 2;
    reports.joined([]);
    room.members = 3;
    reports.joined([]);
    expect(told).toEqual(["Lobby: 1"]);
    expect(rings).toEqual([1_000_000 + DIRECTORY_REPORT_MS]);
    expect(reports.due).toBe(1_000_000 + DIRECTORY_REPORT_MS);
    vi.advanceTimersByTime(DIRECTORY_REPORT_MS);
    reports.rang(Date.now());
    expect(told).toEqual(["Lobby: 1", "Lobby: 3"]);
    expect(reports.due).toBeUndefined();
  });

  it("tell nothing for a room that is not listed, and a removal when a listed one is unlisted or wiped", () => {
    const { reports, room, told, rings } = reportingRoom({ slowModeSeconds: 5, listed: false });
    room.members = 4;
    reports.joined([]);
    reports.rang(Date.now());
    expect([told, rings]).toEqual([[], []]);
    const before = room.settings;
    room.settings = { ...before, listed: true };
    reports.settingsChanged(before, Date.now());
    expect(told).toEqual(["lobby: 4"]);
    room.settings = before;
    reports.settingsChanged({ ...before, listed: true }, Date.now());
    reports.wiped({ ...before, listed: true });
    expect(told).toEqual(["lobby: 4", "removed", "removed"]);
  });
});
