# The room's rules as the room tells them, and where the player stands under them: the room's settings (slow mode,
# listing, title), whether a moderator muted the player and until when, and how long slow mode makes the player wait
# before its next chat. It reads what the room sends (welcome.settings, welcome.muted, `settings`, `mute_status`, and
# the refusals `muted` and `slow_mode`) and returns events for chat_logic.gd, which owns it, to hand on as signals:
# ["settings_changed", settings], ["mute_changed", muted, until, reason].
#
# Times: `now_ms` is the adapter's clock (ticks); the room's `until` is its own, ms since the epoch. `clock_offset_ms`
# (the epoch's ms minus the ticks, from the adapter) turns one into the other, so a timed mute ends on time here
# without a word from the room, which does not announce it.
#
# GDScript that Godot 3 and Godot 4 both parse and run, like chat_logic.gd.

# Refusals for good, with a retryAfterMs or without (rule final-refusals): what they refused is not sent again by
# itself. Their wait, if any, is the player's (when slow mode lets a chat go, when a mute ends), not the queue's; the
# game shows it, and the player sends again when it may, or writes something else.
const FOR_GOOD = ["muted", "slow_mode", "blocked_word"]
# How far a `muted` refusal's end may be from the mute's known end and still be the same end (see refused()).
const REFUSAL_END_SLACK_MS = 1000

# The room's settings as last told: {"slowModeSeconds", "listed", "title"?}; {} before the first welcome.
var settings = {}
# null when the player may speak; else {"until"?: the room's ms since the epoch, "reason"?}.
var muted = null
# When the mute ends, on the adapter's clock (-1: until a moderator lifts it).
var _mute_ends = -1
# When the room last echoed a chat of the player's, and when a slow_mode refusal's wait ends (-1: none).
var _chatted_at = -1
var _slow_until = -1

# A welcome: its settings (an older room's says none: the defaults), and whether the player is muted now (a mute that
# ended while away ends here too).
func welcomed(packet, now_ms, clock_offset_ms):
	var raw_settings = packet.get("settings", {"slowModeSeconds": 0, "listed": false})
	var events = on_settings({"settings": raw_settings})
	if typeof(packet.get("muted")) == TYPE_DICTIONARY:
		return events + _mute(packet["muted"], now_ms, clock_offset_ms)
	return events + _unmute()

# A `settings` packet: every member hears of each change.
func on_settings(packet):
	var raw = packet.get("settings")
	if typeof(raw) != TYPE_DICTIONARY:
		return []
	var next = {"slowModeSeconds": int(raw.get("slowModeSeconds", 0)), "listed": bool(raw.get("listed", false))}
	if typeof(raw.get("title")) == TYPE_STRING:
		next["title"] = raw["title"]
	if _same_settings(settings, next):
		return []
	settings = next
	if next["slowModeSeconds"] == 0:
		_slow_until = -1
	return [["settings_changed", next.duplicate()]]

# A `mute_status` packet: a moderator muted the player, or lifted its mute.
func on_mute_status(packet, now_ms, clock_offset_ms):
	if packet.get("muted", false):
		return _mute(packet, now_ms, clock_offset_ms)
	return _unmute()

# The room echoed a chat of the player's: slow mode counts from here.
func chatted(now_ms):
	_chatted_at = now_ms

# The room refused something of the player's with `code`. A `slow_mode` refusal says how long to wait; a `muted` one
# says the player is muted (it may not have known: its clock ran ahead of the room's, and ended a timed mute early),
# until the refusal's wait is over, or without one until unmuted; the reason it had stays. A timed mute whose end the
# refusal puts within REFUSAL_END_SLACK_MS of the one known stays as it is: the two differ by the way there, not in
# what the room decided, and the game is not told of a change.
func refused(code, retry_after_ms, now_ms, clock_offset_ms):
	if code == "slow_mode" and retry_after_ms > 0:
		_slow_until = now_ms + retry_after_ms
	if code != "muted":
		return []
	var again = {}
	if retry_after_ms > 0:
		again["until"] = now_ms + clock_offset_ms + retry_after_ms
		if muted != null and muted.has("until") and abs(again["until"] - muted["until"]) <= REFUSAL_END_SLACK_MS:
			return []
	if muted != null and muted.has("reason"):
		again["reason"] = muted["reason"]
	return _mute(again, now_ms, clock_offset_ms)

# How long, in ms, slow mode makes the player wait before its next chat now: slowModeSeconds after its last chat
# the room echoed, or a refusal's wait (0: none). A moderator, whom slow mode spares, is not told apart: it is shown
# the wait and its chats go anyway.
func slow_mode_wait(now_ms):
	var wait = _slow_until - now_ms
	var seconds = int(settings.get("slowModeSeconds", 0))
	if seconds > 0 and _chatted_at >= 0:
		wait = max(wait, _chatted_at + seconds * 1000 - now_ms)
	return int(max(0, wait))

# When a timed mute ends, on the adapter's clock (-1: no mute with an end).
func next_timer():
	return _mute_ends if muted != null else -1

# Time passed: a timed mute whose end came is over.
func tick(now_ms):
	if muted != null and _mute_ends >= 0 and now_ms >= _mute_ends:
		return _unmute()
	return []

func _same_settings(a, b):
	return (a.size() == b.size() and a.get("slowModeSeconds") == b.get("slowModeSeconds") and a.get("listed") == b.get("listed")
		and a.get("title", "") == b.get("title", ""))

func _mute(raw, now_ms, clock_offset_ms):
	var next = {}
	if raw.has("until"):
		next["until"] = int(raw["until"])
	if typeof(raw.get("reason")) == TYPE_STRING:
		next["reason"] = raw["reason"]
	var ends = -1
	if next.has("until"):
		ends = next["until"] - clock_offset_ms
		if ends <= now_ms:
			return _unmute()
	_mute_ends = ends
	if muted != null and muted.get("until", 0) == next.get("until", 0) and muted.get("reason", "") == next.get("reason", ""):
		return []
	muted = next
	return [["mute_changed", true, next.get("until", 0), next.get("reason", "")]]

func _unmute():
	if muted == null:
		return []
	muted = null
	_mute_ends = -1
	return [["mute_changed", false, 0, ""]]
