# Everything EdgeChat decides, with no socket and no engine singleton in sight: when to reconnect (capped exponential
# backoff with jitter, the browser client's policy), what a rejoin asks for (`since`, `resume`), which messages are
# new (dedupe by seq), which history pages fill a gap a resume left (messages are handed on in seq order only once
# the gap is filled), when a queued packet may go (the room's rate limit, from its welcome), and when to stop trying
# (leave(), a kick, a ban, a deleted room).
#
# Written in the GDScript that Godot 3 and Godot 4 both parse: no `extends` (a Reference in 3, a RefCounted in 4),
# time passed in as milliseconds, JSON and bytes left to the adapters (edge_chat.gd for Godot 4, edge_chat_godot3.gd
# for Godot 3). Each entry point returns a list of events for the adapter to emit as signals: [signal_name, args...].

const BACKOFF_BASE_MS = 500
const BACKOFF_MAX_MS = 30000
const MAX_ATTEMPTS = 30
const BYTES_PER_TOKEN_DEFAULT = 4096
# Close codes with which the room ends a membership for good: no reconnect by ourselves.
const REMOVAL_CODES = {4001: "kicked", 4002: "room_deleted", 4003: "banned"}
# The room closes a connection whose token expired: with a new token we come back, resuming; without, the same
# token would only be refused again.
const TOKEN_EXPIRED = 4010

var name = ""
var joined = false
var ever_joined = false
# leave() was called, or the room removed us: nothing reconnects.
var stopped = false
# The game gives new tokens (it listens to `token_needed`): each attempt after the first asks for one.
var refreshes_token = false
var failures = 0
var me = {}
var resume_key = ""
var newest_seq = 0
var oldest_seq = 0
var has_older = false
var _seen = {}
# Holes a resume left, {"after": a, "before": b}: filled one history page at a time, newest first.
var _gap = {}
# Messages held back while a gap is filled, so that the game gets them in order.
var _held = []
var _history_in_flight = ""
var _older_wanted = false
var _queue = []
# Chats handed to a socket and not yet echoed by the room, {"id": our id then, "text": …}: a drop may have lost them.
var _unconfirmed = []
var _limits = {}
var _tokens = 0.0
var _capacity = 0.0
var _refill_per_ms = 0.0
var _refilled_at = 0
var _paused_until = 0

func _init(display_name = ""):
	name = display_name

# -------------------------------------------------------------------------------------------------------------------
# The connection's life

# The first packet on a new socket: a rejoin asks for what it missed and shows the last welcome's resume key.
func join_packet():
	var packet = {"type": "join", "name": name}
	if ever_joined:
		packet["since"] = newest_seq
		if resume_key != "":
			packet["resume"] = resume_key
	return packet

# The socket closed (`code` 1006 if it just died): [["reconnecting", delay_seconds, attempt]],
# [["disconnected", code, reason]] when nothing will follow, or [["token_needed"]] when the token expired while in
# the room and the game gives new ones: the adapter connects again as soon as it has one, with no backoff and no
# signal of a drop. `random` is a number in [0, 1).
func on_closed(code, reason, random):
	var was_joined = joined
	joined = false
	if _history_in_flight != "":
		_older_wanted = _older_wanted or _history_in_flight == "older"
		_history_in_flight = ""
	if REMOVAL_CODES.has(code) or (code == TOKEN_EXPIRED and not refreshes_token):
		stopped = true
	if code == TOKEN_EXPIRED and was_joined and not stopped:
		return [["token_needed"]]
	if stopped:
		return [["disconnected", code, reason]]
	failures += 1
	if failures > MAX_ATTEMPTS:
		stopped = true
		return [["disconnected", code, "gave up after %d attempts" % MAX_ATTEMPTS]]
	return [["reconnecting", backoff_delay_ms(failures, random) / 1000.0, failures]]

# The delay before attempt `attempt` (1 for the first retry): the ceiling doubles per attempt up to the cap, and the
# delay is a random point in its upper half, so that clients who lost the same server do not come back together.
func backoff_delay_ms(attempt, random):
	var ceiling = min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * pow(2, max(0, attempt - 1)))
	return int(round(ceiling / 2.0 + random * ceiling / 2.0))

func leave():
	stopped = true

# -------------------------------------------------------------------------------------------------------------------
# Packets from the room

func on_packet(packet, now_ms):
	match packet.get("type", ""):
		"welcome":
			return _on_welcome(packet, now_ms)
		"chat":
			if _gap.size() > 0:
				_held.append(_message_of(packet))
				return []
			return _deliver([_message_of(packet)])
		"history":
			return _on_history(packet)
		"join":
			return [["member_joined", _member_of(packet)]]
		"joins":
			return _each("member_joined", packet.get("members", []))
		"leave":
			return [["member_left", _member_of(packet)]]
		"leaves":
			return _each("member_left", packet.get("members", []))
		"rename":
			if int(packet.get("id", 0)) == int(me.get("id", -1)):
				name = str(packet.get("name", name))
				me["name"] = name
			return [["member_renamed", _member_of(packet), str(packet.get("previous", ""))]]
		"deleted":
			return [["message_deleted", int(packet.get("seq", 0))]]
		"error":
			return _on_error(packet, now_ms)
	return []

func _on_welcome(packet, now_ms):
	var resumed = ever_joined
	var history = []
	for raw in packet.get("history", []):
		history.append(_message_of(raw))
	# A room whose newest message is older than ours lost its history: start over.
	if resumed and int(packet.get("lastSeq", 0)) < newest_seq:
		_seen = {}
		newest_seq = 0
		oldest_seq = 0
		_gap = {}
		resumed = false
	joined = true
	ever_joined = true
	failures = 0
	me = {"id": int(packet.get("id", 0)), "name": str(packet.get("name", name))}
	name = me["name"]
	resume_key = str(packet.get("resumeKey", ""))
	_pace_to(packet.get("limits", {}), now_ms)
	var events = [["connected", me.duplicate()]]
	var more = bool(packet.get("more", false))
	if resumed and more and history.size() > 0:
		_gap = {"after": newest_seq, "before": history[0]["seq"]}
		_held = history
		return events
	if not resumed:
		has_older = more
	for event in _deliver(history):
		events.append(event)
	_resend_lost()
	return events

func _on_history(packet):
	var kind = _history_in_flight
	_history_in_flight = ""
	var messages = []
	for raw in packet.get("messages", []):
		messages.append(_message_of(raw))
	var more = bool(packet.get("more", false))
	if kind == "older":
		has_older = more
		var fresh = _fresh(messages)
		return [["history", fresh, more]]
	if kind != "gap" or _gap.size() == 0:
		return []
	for message in messages:
		if message["seq"] > _gap["after"]:
			_held.append(message)
	var lowest = _gap["before"]
	if messages.size() > 0:
		lowest = messages[0]["seq"]
	if lowest <= _gap["after"] + 1 or not more:
		# Filled, or the room no longer keeps the rest: what is held goes out, in order.
		_gap = {}
		var held = _held
		_held = []
		var events = _deliver(held)
		_resend_lost()
		return events
	_gap["before"] = lowest
	return []

func _on_error(packet, now_ms):
	var retry_after = int(packet.get("retryAfterMs", 0))
	if retry_after > 0:
		_paused_until = now_ms + retry_after
	return [["error", str(packet.get("code", "")), str(packet.get("message", "")), retry_after]]

# -------------------------------------------------------------------------------------------------------------------
# Packets to the room

func send_chat(text):
	_queue.append({"type": "chat", "text": text})

func rename(new_name):
	name = new_name
	if joined:
		_queue.append({"type": "rename", "name": new_name})

# Asks for the page before the oldest message delivered; false if there is none.
func load_older():
	if not has_older or _older_wanted or _history_in_flight == "older":
		return false
	_older_wanted = true
	return true

# The packet to send next, if any: a due history request first, then the queue. Chats wait while a gap is filled.
func next_packet():
	if not joined:
		return null
	if _history_in_flight == "":
		if not _gap.size() == 0:
			return {"type": "history", "before": _gap["before"], "limit": _limits.get("historyPageMax", 200)}
		if _older_wanted and oldest_seq > 0:
			return {"type": "history", "before": oldest_seq, "limit": _limits.get("historyPageMax", 200)}
	if not _gap.size() == 0 or _queue.size() == 0:
		return null
	return _queue[0]

# How long to wait before `next_packet()`, `bytes` long, may go: 0 if now, and then it is charged and taken.
func wait_before_sending(now_ms, bytes):
	if _paused_until > now_ms:
		return _paused_until - now_ms
	if _capacity > 0:
		_tokens = min(_capacity, _tokens + (now_ms - _refilled_at) * _refill_per_ms)
		_refilled_at = now_ms
		var cost = max(1, int(ceil(float(bytes) / _limits.get("rateLimitBytesPerToken", BYTES_PER_TOKEN_DEFAULT))))
		if _tokens < cost:
			return int(ceil((cost - _tokens) / _refill_per_ms))
		_tokens -= cost
	var packet = next_packet()
	if packet != null and packet["type"] == "history":
		_history_in_flight = "older"
		if not _gap.size() == 0:
			_history_in_flight = "gap"
		else:
			_older_wanted = false
	elif packet != null:
		_queue.pop_front()
		if packet["type"] == "chat":
			_unconfirmed.append({"id": me.get("id", 0), "text": packet["text"]})
	return 0

# -------------------------------------------------------------------------------------------------------------------

func _pace_to(limits, now_ms):
	_limits = limits
	# One token short of the room's burst, for frames the network bunches up on the way.
	_capacity = max(1, int(limits.get("rateLimitBurst", 10)) - 1)
	_refill_per_ms = float(limits.get("rateLimitPerSecond", 5)) / 1000.0
	_tokens = _capacity
	_refilled_at = now_ms
	_paused_until = 0

# Messages not delivered before, in seq order, as chat events; our own, echoed, are confirmed.
func _deliver(messages):
	var events = []
	for message in _fresh(messages):
		events.append(["chat", message])
		for i in range(_unconfirmed.size()):
			if _unconfirmed[i]["id"] == message["sender"]["id"] and _unconfirmed[i]["text"] == message["text"]:
				_unconfirmed.erase(_unconfirmed[i])
				break
	return events

# Once everything missed is delivered, chats of an earlier connection that never came back were lost with it: they
# go out again, ahead of anything queued since.
func _resend_lost():
	var kept = []
	var lost = []
	for sent in _unconfirmed:
		if sent["id"] == me.get("id", 0):
			kept.append(sent)
		else:
			lost.append({"type": "chat", "text": sent["text"]})
	_unconfirmed = kept
	_queue = lost + _queue

func _fresh(messages):
	var fresh = []
	for message in messages:
		var seq = message["seq"]
		if _seen.has(seq):
			continue
		_seen[seq] = true
		newest_seq = max(newest_seq, seq)
		if oldest_seq == 0 or seq < oldest_seq:
			oldest_seq = seq
		_insert_sorted(fresh, message)
	return fresh

func _insert_sorted(list, message):
	var at = list.size()
	while at > 0 and list[at - 1]["seq"] > message["seq"]:
		at -= 1
	list.insert(at, message)

func _each(signal_name, members):
	var events = []
	for member in members:
		events.append([signal_name, _member_of(member)])
	return events

func _member_of(packet):
	var member = {"id": int(packet.get("id", 0)), "name": str(packet.get("name", ""))}
	if packet.get("verified", false):
		member["verified"] = true
		member["user"] = str(packet.get("user", ""))
	elif packet.get("guest", false):
		member["guest"] = true
	if packet.has("reason"):
		member["reason"] = str(packet["reason"])
	return member

func _message_of(packet):
	var message = {"seq": int(packet.get("seq", 0)), "ts": int(packet.get("ts", 0)), "sender": _member_of(packet.get("sender", {})),
		"text": str(packet.get("text", ""))}
	if packet.get("deleted", false):
		message["deleted"] = true
	return message
