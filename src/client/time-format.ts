// Message times in the reader's own time zone and locale.

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const complete = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });

/** The time of day for today's messages; older ones need their date too. */
export function shortTime(ts: number, now: number = Date.now()): string {
  return new Date(ts).toDateString() === new Date(now).toDateString() ? timeOfDay.format(ts) : dayAndTime.format(ts);
}

export const fullTime = (ts: number): string => complete.format(ts);
