# Everything EdgeChat decides, with no socket and no engine singleton in sight: when to reconnect (capped exponential
# backoff with jitter), what a rejoin asks for (`since`, `resume`), which messages are new (dedupe by seq), which
# history pages fill a gap a resume left (messages are handed on in seq order only once the gap is filled), who is in
# the room (roster.gd), the messages delivered as they change (message_model.gd: edits, deletions, reactions, live and
# on a resume, paged in with `changes` when a welcome had no room for them all), who is typing and each member's
# state (live signals: typing(), stop_typing(), set_state(), typers()), and when to stop trying (leave(), a refused
# join, a kick, a ban, a deleted room), and the room's rules as they touch the player (moderation.gd: its settings,
# slow mode, a mute; and a moderator's calls). In a room past its presenceListMax the roster holds the count and the
# members near the player (summary presence: presence(), load_members() for the whole list, page by page). What is sent, and when, is send_queue.gd's. The rules are the
# JavaScript client's too, written once in clients/spec (scenarios.json) and run against this file by
# test/godot/spec_runner.gd.
#
# Written in the GDScript that Godot 3 and Godot 4 both parse: no `extends` (a Reference in 3, a RefCounted in 4),
# time passed in as milliseconds, JSON and bytes left to the adapters (edge_chat.gd for Godot 4, edge_chat_godot3.gd
# for Godot 3). Each entry point returns a list of events for the adapter to emit as signals: [signal_name, args...];
# an event whose name starts with "_" is an instruction to the adapter, not a signal: ["_close_socket"], or
# ["_send", packet] (send it now: it has been paced already). What only time changes (a typer to drop, a state whose
# interval ended) is due at next_timer(): the adapter calls tick(now) then, and sends what may go.

const Roster = preload("roster.gd")
const SendQueue = preload("send_queue.gd")
const MessageModel = preload("message_model.gd")
const Moderation = preload("moderation.gd")
# The numbers of the rules (backoff, the answer timeout, Godot's largest frame) and the room's close codes, written
# from the TypeScript client's and the room's own (tools/client-constants.ts).
const Constants = preload("constants.gd")

var name = ""
var joined = false
var ever_joined = false
# leave() was called, the room refused the join, or removed us: nothing reconnects.
var stopped = false
# Why: "closed" (leave), "gave_up", "rejected" (the join: its name), "removed" (kick, ban, deletion, token).
var stop_reason = ""
# The game gives new tokens (it listens to `token_needed`): each attempt after the first asks for one.
var refreshes_token = false
# The largest frame the adapter's socket takes, told to the room in the join so that it cuts what it sends to fit.
# By default the largest frame Godot takes: Godot 4's inbound_buffer_size, and Godot 3's 64 KiB inbound buffer
# (network/limits/websocket_client/max_in_buffer_kb), a ring buffer that holds one byte less than its size.
var max_frame_bytes = Constants.GODOT_MAX_FRAME_BYTES
# The epoch's milliseconds minus the adapter's clock (now_ms), set by the adapter: the room's times (a mute's `until`)
# are the epoch's.
var clock_offset_ms = 0
var failures = 0
var me = {}
var resume_key = ""
# The newest position seen in the room's log: a message's seq, a change's `at`, or a welcome's lastSeq once all it
# covers is in. A rejoin's `since`.
var newest_seq = 0
var oldest_seq = 0
var has_older = false
var _told_stop = false
var _rng = RandomNumberGenerator.new()
var _queue
var _seen = {}
# The hole a resume left, {"after": a, "before": b}: filled one history page at a time, newest first.
var _gap = {}
# Messages held back while a gap is filled, so that the game gets them in order.
var _held = []
var _history_in_flight = ""
var _older_wanted = false
var _limits = {}
var _roster = Roster.new()
var _model = MessageModel.new()
var _moderation = Moderation.new()
# The changes after this position are still to be asked for (-1: none are): a resume's welcome had no room for them.
var _changes_after = -1
var _changes_in_flight = false
# The last welcome's lastSeq, until all it covers is in (its gap filled, its changes paged in); -1: none waiting.
var _welcome_newest = -1
# Who is typing, in the order each started: [{"id", "until": when it is dropped, in ms}]; never us.
var _typers = []
# When our last typing start went (-1: none since the last stop or chat).
var _typing_sent_at = -1
# Our own state as the game set it (null: never set): every join carries it, and while joined it goes as a `state`
# packet, at most one per stateIntervalMs.
var _state = null
# The state the last join carried (null: none): if the game changed its state after, a packet takes the change.
var _join_state = null
# The last state sent (in a packet or a join) that the room has not refused, and the one sent before it (null: none):
# a state refused for good gives way to the one before.
var _state_sent = null
var _state_before = null
# A change not sent yet, when the last state packet went, and when a refused one may go again (-1: no wait).
var _state_due = false
var _state_sent_at = -1
var _state_retry_at = -1

func _init(display_name = ""):
	name = display_name
	# Godot 3 starts every run with the same seed: without this, every player would come back at the same moment.
	_rng.randomize()
	_queue = SendQueue.new(_rng)

# The room's members as last heard, in the order they joined: [{id, name, verified?, user?, guest?, state?, vouched?}].
func members():
	return _roster.members()

# How many members the room has, us included: the welcome's count, then one more per join, one less per leave (in
# summary presence, each presence packet's).
func member_count():
	return _roster.count

# How the room tells its presence: "list" (members() lists everyone) or "summary" (a room past its presenceListMax:
# members() lists the members near the player, member_count() counts everyone, load_members() pages the whole list).
func presence():
	return _roster.mode

# Asks for the next page of the room's whole member list (`from_start`: the first again), answered as
# ["members_page", members, more] and never merged into members(); false if a page is on its way, or the last said
# there were no more. It goes with the next packets sent, once in the room; after a drop, it is asked again.
func load_members(from_start = false):
	return _roster.want_page(from_start)

# The members typing now (never us), in the order they started: copies of their entries in members().
func typers():
	var list = []
	for typer in _typers:
		var member = _roster.member(typer["id"])
		if member != null:
			list.append(member)
	return list

# The messages delivered, {seq: message}, each in its current state: the model's own, for the game to read.
func messages():
	return _model.messages

# Whether this addon gave reaction `reaction` to message `seq` (and did not take it back).
func reacted_by_me(seq, reaction):
	return _model.reacted_by_me(int(seq), reaction)

# The room's settings, {"slowModeSeconds", "listed", "title"?} ({} before the first welcome): a copy.
func settings():
	return _moderation.settings.duplicate()

# null if the player may speak; else {"until"?: when the mute ends, the epoch's ms, "reason"?}: a copy.
func muted():
	return null if _moderation.muted == null else _moderation.muted.duplicate()

# How long, in ms, slow mode makes the player wait before its next chat as of `now_ms` (0: none).
func slow_mode_wait(now_ms):
	return _moderation.slow_mode_wait(now_ms)

# -------------------------------------------------------------------------------------------------------------------
# The connection's life

# The first packet on a new socket: a rejoin asks for what it missed and shows the last welcome's resume key.
func join_packet():
	var packet = {"type": "join", "name": name, "maxFrameBytes": max_frame_bytes}
	# Our state goes with every join: a change made while away goes here, not as a packet.
	_join_state = null if _state == null else _state.duplicate(true)
	if _state != null:
		packet["state"] = _state.duplicate(true)
		_sent_state(_state)
	if ever_joined:
		packet["since"] = newest_seq
		if resume_key != "":
			packet["resume"] = resume_key
	return packet

# The socket closed (`code` 1006 if it just died): [["reconnecting", delay_seconds, attempt]],
# [["disconnected", code, reason]] when nothing will follow, or [["token_needed"]] when the token expired while in
# the room and the game gives new ones: the adapter connects again as soon as it has one, with no backoff and no
# signal of a drop. `random`, in [0, 1), is for tests: by default the jitter is random.
func on_closed(code, reason, random = -1.0):
	var was_joined = joined
	joined = false
	if _history_in_flight != "":
		_older_wanted = _older_wanted or _history_in_flight == "older"
		_history_in_flight = ""
	_changes_in_flight = false
	_roster.lost()
	if _told_stop:
		return []
	# A close after which the room's table says not to reconnect ends the membership for good; but a token that
	# expired is replaced when the game gives new ones (without, the same token would only be refused again).
	var entry = Constants.CLOSE_CODES.get(code, {"reconnect": true})
	if not entry["reconnect"] and not (code == Constants.CLOSE_TOKEN_EXPIRED and refreshes_token):
		_stop("removed")
	if code == Constants.CLOSE_TOKEN_EXPIRED and was_joined and not stopped:
		return [["token_needed"]]
	if stopped:
		_told_stop = true
		return [["disconnected", code, reason]]
	failures += 1
	if failures > Constants.BACKOFF_MAX_ATTEMPTS:
		_stop("gave_up")
		_told_stop = true
		return [["disconnected", code, "gave up after %d attempts" % Constants.BACKOFF_MAX_ATTEMPTS]]
	if random < 0:
		random = _rng.randf()
	return [["reconnecting", backoff_delay_ms(failures, random) / 1000.0, failures]]

# The delay before attempt `attempt` (1 for the first retry): the ceiling doubles per attempt up to the cap, and the
# delay is a random point in its upper half, so that clients who lost the same server do not come back together.
func backoff_delay_ms(attempt, random):
	var ceiling = min(Constants.BACKOFF_MAX_MS, Constants.BACKOFF_BASE_MS * pow(2, max(0, attempt - 1)))
	return int(round(ceiling / 2.0 + random * ceiling / 2.0))

func leave():
	_stop("closed")

func _stop(reason):
	if not stopped:
		stopped = true
		stop_reason = reason

# -------------------------------------------------------------------------------------------------------------------
# Packets from the room

# `frame_bytes`: the frame's size, which the room bills to us for a history or members answer (0: unknown, not billed).
func on_packet(packet, now_ms, frame_bytes = 0):
	match packet.get("type", ""):
		"welcome":
			return _on_welcome(packet, now_ms)
		"chat":
			_confirm(packet)
			if _is_mine(packet):
				_moderation.chatted(now_ms)
			# A member's chat ends its typing; in summary presence its sender is near, and listed.
			var retyped = _retyped(_typers_without([int(packet.get("sender", {}).get("id", -1))]))
			if _roster.spoke(_member_of(packet.get("sender", {}))):
				retyped.append(_presence_changed())
			if _gap.size() > 0:
				_held.append(_message_of(packet))
				return retyped
			return _deliver([_message_of(packet)]) + retyped
		"signals":
			return _on_signals(packet, now_ms)
		"history":
			_queue.bill(now_ms, frame_bytes)
			return _on_history(packet)
		"members":
			_queue.bill(now_ms, frame_bytes)
			var page = _members_of(packet.get("members", []))
			var more = bool(packet.get("more", false))
			if _roster.received(page, more) == "app":
				return [["members_page", page, more]]
			return []
		"presence":
			return _on_presence(packet)
		"join":
			return _joined([packet])
		"joins":
			return _joined(packet.get("members", []))
		"leave":
			return _left([packet])
		"leaves":
			return _left(packet.get("members", []))
		"rename":
			var renamed = _member_of(packet)
			# In summary presence a rename reaches everyone: of a member not listed it is no news.
			if _roster.mode == "summary" and not _roster.has(renamed["id"]):
				return []
			if renamed["id"] == int(me.get("id", -1)):
				name = renamed["name"]
				me["name"] = name
			_roster.rename(renamed["id"], renamed["name"])
			return [["member_renamed", renamed, str(packet.get("previous", ""))]]
		"edited", "deleted", "reactions":
			return _on_change(packet)
		"changes":
			_queue.bill(now_ms, frame_bytes)
			return _on_changes(packet)
		"error":
			return _on_error(packet, now_ms)
		"settings":
			return _moderation.on_settings(packet)
		"mute_status":
			return _moderation.on_mute_status(packet, now_ms, clock_offset_ms)
		"muted", "unmuted":
			# The room's answer to a moderator's call of ours.
			return [["moderated", packet.duplicate(true)]]
	return []

func _on_welcome(packet, now_ms):
	var resumed = ever_joined
	var since = newest_seq
	var history = []
	for raw in packet.get("history", []):
		_confirm(raw)
		history.append(_message_of(raw))
	# A room whose newest position is older than ours lost its history: start over.
	if resumed and int(packet.get("lastSeq", 0)) < newest_seq:
		_seen = {}
		newest_seq = 0
		oldest_seq = 0
		_gap = {}
		_model.reset()
		_changes_after = -1
		resumed = false
	joined = true
	ever_joined = true
	failures = 0
	me = {"id": int(packet.get("id", 0)), "name": str(packet.get("name", name))}
	name = me["name"]
	resume_key = str(packet.get("resumeKey", ""))
	_limits = packet.get("limits", {})
	_queue.pace_to(_limits, now_ms)
	_queue.drop_renames()
	# An older room's welcome says no presence: it lists everyone.
	var presence = "summary" if packet.get("presence", "list") == "summary" else "list"
	_roster.start(_members_of(packet.get("members", [])), int(packet.get("memberCount", 0)), presence)
	var events = [["connected", me.duplicate()], _presence_changed()] + _moderation.welcomed(packet, now_ms, clock_offset_ms)
	var more = bool(packet.get("more", false))
	_welcome_newest = int(packet.get("lastSeq", 0))
	if resumed and more and history.size() > 0:
		_gap = {"after": newest_seq, "before": history[0]["seq"]}
		_held = history
	else:
		if not resumed:
			has_older = more
		events += _deliver(history)
	if resumed:
		# The messages held that changed meanwhile. The welcome says no `through`: the pages of those it left out start
		# after our since again (or go on where pages still due from an earlier welcome were), and what they repeat
		# changes nothing.
		events += _replace(packet.get("changed", []))
		if packet.get("moreChanged", false) and _changes_after < 0:
			_changes_after = since
	_caught_up()
	# The room's typers now, each until typingTimeoutMs from here: a new welcome starts them over.
	var now_typing = []
	for id in packet.get("typing", []):
		_add_typer(now_typing, int(id), now_ms)
	events += _retyped(now_typing)
	# Our state went with the join; a change made since (while the join was on its way) goes as a packet.
	_state_due = _state != null and not _same(_state, _join_state)
	_state_retry_at = -1
	# A new connection has sent no typing start.
	_typing_sent_at = -1
	return events

func _on_history(packet):
	var kind = _history_in_flight
	_history_in_flight = ""
	var messages = []
	for raw in packet.get("messages", []):
		_confirm(raw)
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
		_caught_up()
		return events
	_gap["before"] = lowest
	return []

func _on_error(packet, now_ms):
	var code = str(packet.get("code", ""))
	var message = str(packet.get("message", ""))
	var retry_after = int(packet.get("retryAfterMs", 0))
	var refused_type = str(packet.get("for", ""))
	# A typing signal refused (flood control) was only a hint: the game never hears of it.
	if refused_type == "typing":
		return []
	if code in Moderation.FOR_GOOD and joined:
		# Its wait, if any, is the player's (slow mode, a mute), not the queue's: refused for good, told with the wait.
		var told = [["error", code, message, retry_after]]
		var request = _queue.dismissed(refused_type, str(packet.get("cid", "")))
		_rename_refused(refused_type)
		if refused_type == "state":
			_state_refused(code, message, 0, now_ms)
		elif request != null and request["type"] == "react":
			_model.reacted(request["seq"], request["reaction"], false)
		if packet.has("for"):
			told.append(["refused", refused_type, code, message])
		return told + _moderation.refused(code, retry_after, now_ms, clock_offset_ms)
	if refused_type == "state" and joined:
		return _state_refused(code, message, retry_after, now_ms)
	if not joined and not stopped and _join_state != null and code in ["invalid_state", "forbidden"] and refused_type in ["join", ""]:
		# The join's state was refused: told once, and dropped; the join goes again at once without it (a resume keeps
		# the state the room held of ours).
		_state = null
		_state_sent = _state_before
		return [["error", code, message, 0], ["refused", "state", code, message], ["_send", join_packet()]]
	if not joined and not stopped:
		if retry_after > 0:
			# Refused before the welcome for now (the room is busy): come back exactly when it says.
			return [["_close_socket"], ["reconnecting", retry_after / 1000.0, failures]]
		# Refused before the welcome: the join itself (its name) is wrong, and trying again would not help.
		_stop("rejected")
		_told_stop = true
		return [["error", code, message, 0], ["_close_socket"], ["disconnected", 1000, code]]
	if retry_after > 0:
		_queue.pause_until(now_ms + retry_after)
		# The refused chat and those after it go again, in order (send_queue.gd); a refusal that names no chat of ours
		# (an older room, or a refused request in whose second chats may have been dropped unanswered) leaves every
		# unconfirmed chat suspect until the echoes of those taken have had time to come back.
		if not _queue.refused(str(packet.get("cid", ""))):
			_queue.suspect_all(now_ms, retry_after)
		return [["error", code, message, retry_after]]
	# The room's own failure refuses nothing: what it answered stays unconfirmed, and goes again after a drop.
	if code == "internal_error":
		return [["error", code, message, 0]]
	# Refused for good: not sent again; a reaction refused is not ours, a rename leaves the room's name.
	_rename_refused(refused_type)
	var refused = _queue.dismissed(str(packet.get("for", "")), str(packet.get("cid", "")))
	if refused != null and refused["type"] == "react":
		_model.reacted(refused["seq"], refused["reaction"], false)
	var events = [["error", code, message, 0]]
	if packet.has("for"):
		events.append(["refused", str(packet["for"]), code, message])
	return events

# A rename refused for good: the name is the one the room has, which the next join carries.
func _rename_refused(refused_type):
	if refused_type == "rename" and me.has("name"):
		name = me["name"]

# A change to a message, at its position in the room's log.
func _on_change(packet):
	var seq = int(packet.get("seq", 0))
	var kind = packet["type"]
	newest_seq = max(newest_seq, int(packet.get("at", 0)))
	_queue.settled(seq, kind, str(packet.get("text", "")))
	# Messages held back while a gap is filled take it too: they go out as they are then.
	for i in range(_held.size()):
		var next = _model.changed_by(_held[i], packet) if _held[i]["seq"] == seq else null
		if next == null and kind == "deleted":
			next = _model.quoting_deleted(_held[i], seq)
		if next != null:
			_held[i] = next
	var events = []
	if kind == "deleted":
		events.append(["message_deleted", seq])
	return events + _told(_model.apply(packet))

# A page of the changes a resume's welcome left out.
func _on_changes(packet):
	if _changes_in_flight:
		_changes_in_flight = false
		_changes_after = int(packet.get("through", 0)) if packet.get("more", false) else -1
	var events = _replace(packet.get("messages", []))
	_caught_up()
	return events

# Messages in their current state (raw, as they came): applied to those held; ours among them are confirmed.
func _replace(raw_messages):
	var states = []
	for raw in raw_messages:
		var message = _message_of(raw)
		_queue.settled(message["seq"], "deleted" if message.has("deleted") else "edited", message["text"])
		states.append(message)
	return _told(_model.replace(states))

func _told(changes):
	var events = []
	for change in changes:
		events.append(["message_changed", change[0], change[1]])
	return events

# Once a resume's gap is filled and the changes it missed are in, the welcome's lastSeq is where the next resume
# starts from, and which of the chats sent before the drop never reached the room is known: they go again.
func _caught_up():
	if _gap.size() > 0 or _changes_after >= 0:
		return
	if _welcome_newest >= 0:
		newest_seq = max(newest_seq, _welcome_newest)
		_welcome_newest = -1
	_queue.resend_lost(me.get("id", 0))

# -------------------------------------------------------------------------------------------------------------------
# Packets to the room

# A chat; `options`: "replyTo" (the seq of the message it answers), "data" (a Dictionary for the game). Returns
# events: an error, not sent, if `data` is not a Dictionary.
func send_chat(text, options = {}):
	if options.has("data") and typeof(options["data"]) != TYPE_DICTIONARY:
		return _refused_here("chat", "invalid_data", "data must be a JSON object (a Dictionary)")
	_queue.push_chat(text, options)
	# Our chat ends our typing for everyone: the next keystroke starts it again.
	_typing_sent_at = -1
	return []

# Changes our own message `seq` to `text`. Edits, deletions and reactions are queued and paced with the chats;
# after a stop (leave, a removal) each is refused at once: the events say so.
func edit(seq, text):
	return _change({"type": "edit", "seq": int(seq), "text": text})

# Deletes our own message `seq` (a moderator's delete of anyone's is the same packet).
func delete_message(seq):
	return _change({"type": "delete", "seq": int(seq)})

# Gives message `seq` a reaction: one emoji, or ":name:".
func react(seq, reaction):
	return _change({"type": "react", "seq": int(seq), "reaction": reaction})

func unreact(seq, reaction):
	return _change({"type": "unreact", "seq": int(seq), "reaction": reaction})

func _change(packet):
	if stopped:
		return _refused_here(packet["type"], "not_joined", "not connected to the room: connect first")
	if packet["type"] in ["react", "unreact"]:
		_model.reacted(packet["seq"], packet["reaction"], packet["type"] == "react")
	_queue.push_change(packet)
	return []

func _refused_here(type, code, message):
	return [["error", code, message, 0], ["refused", type, code, message]]

func rename(new_name):
	name = new_name
	if joined:
		_queue.push_rename(new_name)

# A moderator's calls (the room refuses them, `forbidden`, to a member without the moderator role): each goes at
# once while joined, as ["_send", packet], never queued; otherwise it is refused here (`not_joined`). Their answers are
# ["moderated", packet] (`muted`, `unmuted`), or for settings a `settings` packet to everyone: only that changes
# settings().

# Mutes member `id` for `minutes` (0: until unmuted), for `reason` ("": none).
func mute(id, minutes = 0, reason = ""):
	var packet = {"type": "mute", "id": int(id)}
	if minutes > 0:
		packet["minutes"] = int(minutes)
	if reason != "":
		packet["reason"] = reason
	return _request(packet)

# Lifts the mute of `user`, as the `muted` answer named it (a sub, or "address:…" for an anonymous member).
func unmute(user):
	return _request({"type": "unmute", "user": user})

# Changes the room's settings given (of "slowModeSeconds", "listed", "title"); every member hears of the change.
func set_settings(changes):
	if typeof(changes) != TYPE_DICTIONARY:
		return _refused_here("settings", "invalid_field", "settings must be a Dictionary")
	var packet = changes.duplicate(true)
	packet["type"] = "settings"
	return _request(packet)

func _request(packet):
	if not joined or stopped:
		return _refused_here(packet["type"], "not_joined", "not in the room: a moderator's call goes only while joined")
	return [["_send", packet]]

# The player typed: ["_send", {"type": "typing"}] if joined, not muted (the room drops a muted member's), no start
# went within typingIntervalMs, and the rate limit has a token for it now; otherwise nothing, now or later (a typing
# signal is never queued).
func typing(now_ms):
	if not joined or stopped or _moderation.muted != null:
		return []
	if _typing_sent_at >= 0 and now_ms - _typing_sent_at < _limit("typingIntervalMs"):
		return []
	if _queue.wait_before_sending(now_ms, 1) > 0:
		return []
	_typing_sent_at = now_ms
	return [["_send", {"type": "typing"}]]

# The player stopped (cleared the input): a stop signal if a start went within typingTimeoutMs (others would show
# us until then), as typing() sends; the next keystroke starts again at once.
func stop_typing(now_ms):
	var recent = _typing_sent_at >= 0 and now_ms - _typing_sent_at < _limit("typingTimeoutMs")
	_typing_sent_at = -1
	if not recent or not joined or stopped or _queue.wait_before_sending(now_ms, 1) > 0:
		return []
	return [["_send", {"type": "typing", "stop": true}]]

# Our own state (a Dictionary; `{}` clears it): it goes with every join, and while joined as a `state` packet, at most
# one per stateIntervalMs (a change within the interval goes when it ends, the latest only). Returns events: an
# error, not sent, if `state` is not a Dictionary.
func set_state(state):
	if typeof(state) != TYPE_DICTIONARY:
		return _refused_here("state", "invalid_state", "a state must be a JSON object (a Dictionary)")
	_state = state.duplicate(true)
	_state_due = joined
	return []

# Our state as the game last set it (null: never).
func own_state():
	return null if _state == null else _state.duplicate(true)

# When, in ms, time alone will change something: a typer to drop, our state's interval or a timed mute to end (-1:
# nothing).
func next_timer():
	var at = _moderation.next_timer()
	for typer in _typers:
		if at < 0 or typer["until"] < at:
			at = typer["until"]
	if _state_due and joined and not stopped:
		var due = _state_due_at()
		if at < 0 or due < at:
			at = due
	return at

# Time passed: the typers last heard from typingTimeoutMs ago or more are dropped, and a timed mute that ended is over.
# The adapter then sends what may go (our state, once its interval ended).
func tick(now_ms):
	var kept = []
	for typer in _typers:
		if typer["until"] > now_ms:
			kept.append(typer)
	return _retyped(kept) + _moderation.tick(now_ms)

# Asks for the page before the oldest message delivered; false if there is none.
func load_older():
	if not has_older or _older_wanted or _history_in_flight == "older":
		return false
	_older_wanted = true
	return true

# The packet to send next as of `now_ms`, if any: a due history request first, then a page of members, then the
# queue. Chats wait while a gap is filled: only then is it known which earlier ones must be sent again.
func next_packet(now_ms = 0):
	if not joined:
		return null
	if _history_in_flight == "":
		if _gap.size() > 0:
			return {"type": "history", "before": _gap["before"], "limit": _limits.get("historyPageMax", 200)}
		if _older_wanted and oldest_seq > 0:
			return {"type": "history", "before": oldest_seq, "limit": _limits.get("historyPageMax", 200)}
	if _changes_after >= 0 and not _changes_in_flight:
		return {"type": "changes", "after": _changes_after, "limit": _limits.get("historyPageMax", 200)}
	var members_page = _roster.next_request(_limits.get("membersPageMax", 500))
	if members_page != null:
		return members_page
	if _state_due and now_ms >= _state_due_at():
		return {"type": "state", "state": _state.duplicate(true)}
	if _gap.size() > 0 or _changes_after >= 0:
		return null
	return _queue.next(now_ms)

# How long to wait before `next_packet()`, `bytes` long, may go: 0 if now, and then it is charged and taken.
func wait_before_sending(now_ms, bytes):
	var wait = _queue.wait_before_sending(now_ms, bytes)
	if wait > 0:
		return wait
	var packet = next_packet(now_ms)
	if packet == null:
		return 0
	if packet["type"] == "history":
		_history_in_flight = "gap" if _gap.size() > 0 else "older"
		if _history_in_flight == "older":
			_older_wanted = false
	elif packet["type"] == "changes":
		_changes_in_flight = true
	elif packet["type"] == "members":
		_roster.requested()
	elif packet["type"] == "state":
		_state_due = false
		_state_sent_at = now_ms
		_sent_state(_state)
	else:
		_queue.take(me.get("id", 0))
	return 0

# -------------------------------------------------------------------------------------------------------------------

# A chat of ours, by our id now: the room's voice (the system sender, id 0) is nobody's.
func _is_mine(raw):
	var sender = _member_of(raw.get("sender", {}))
	return not sender.has("system") and sender["id"] == int(me.get("id", -1))

# A message from the room confirms our chat if it is ours: a new one, or (by its cid) the room's answer to a chat
# sent again that it had stored already, whose seq was delivered before. A message seen before without a cid
# confirms nothing: matched by text, it could take the place of another chat that says the same.
func _confirm(raw):
	if raw.has("cid") or not _seen.has(int(raw.get("seq", 0))):
		_queue.confirm(raw)

# Messages not delivered before, in seq order, as chat events; one delivered before is its current state.
func _deliver(messages):
	var events = _restated(messages)
	for message in _fresh(messages):
		events.append(["chat", message])
	return events

# Of `messages`, those delivered before: their states now, applied to those held, before they count as seen.
func _restated(messages):
	var again = []
	for message in messages:
		if _seen.has(message["seq"]):
			again.append(message)
	return _told(_model.replace(again))

func _fresh(messages):
	var fresh = []
	for message in messages:
		var seq = message["seq"]
		if _seen.has(seq):
			continue
		_seen[seq] = true
		_model.add(message)
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

# Members the list did not hold (our own join is in the welcome already): added, each with its signal.
func _joined(raw_members):
	var events = []
	for member in _members_of(raw_members):
		if _roster.joined(member):
			events.append(["member_joined", member.duplicate(true)])
	return events

# A room's presence in summary, or its switch: the near members who came (member_joined) and went (member_left),
# the typers it left out of the list, then its mode and count (presence_changed).
func _on_presence(packet):
	var mode = "summary" if packet.get("mode", "list") == "summary" else "list"
	var near = null
	if typeof(packet.get("members")) == TYPE_ARRAY:
		near = _members_of(packet["members"])
	var leaves = _members_of(packet.get("leaves", []))
	var came = _roster.summarized(mode, int(packet.get("memberCount", 0)), near, _members_of(packet.get("joins", [])), leaves, int(me.get("id", -1)))
	var events = []
	for member in came:
		events.append(["member_joined", member.duplicate(true)])
	for member in leaves:
		events.append(["member_left", member])
	var kept = []
	for typer in _typers:
		if _roster.has(typer["id"]):
			kept.append(typer.duplicate())
	return events + _retyped(kept) + [_presence_changed()]

func _presence_changed():
	return ["presence_changed", _roster.mode, _roster.count]

# Members gone: no longer listed, nor typing.
func _left(raw_members):
	var events = []
	var gone = []
	for member in _members_of(raw_members):
		_roster.remove(member["id"])
		gone.append(member["id"])
		events.append(["member_left", member])
	return events + _retyped(_typers_without(gone))

# -------------------------------------------------------------------------------------------------------------------
# Live signals

# A batch of them: members' new states, then who stopped typing and who typed (each shown until typingTimeoutMs
# after this packet came, or until its stop, chat or leave).
func _on_signals(packet, now_ms):
	var events = []
	for entry in packet.get("states", []):
		if typeof(entry) != TYPE_DICTIONARY:
			continue
		var state = entry.get("state", {})
		var member = _roster.set_state(int(entry.get("id", 0)), state if typeof(state) == TYPE_DICTIONARY else {})
		if member != null:
			events.append(["member_state_changed", member])
	var stopped_ids = []
	for id in packet.get("stopped", []):
		stopped_ids.append(int(id))
	var now_typing = _typers_without(stopped_ids)
	for id in packet.get("typing", []):
		_add_typer(now_typing, int(id), now_ms)
	return events + _retyped(now_typing)

# Adds member `id` to `list` until typingTimeoutMs after `now_ms`, or refreshes it in its place: not us, nor a
# member the addon does not know.
func _add_typer(list, id, now_ms):
	if id == int(me.get("id", -1)) or not _roster.has(id):
		return
	var until = now_ms + _limit("typingTimeoutMs")
	for typer in list:
		if typer["id"] == id:
			typer["until"] = until
			return
	list.append({"id": id, "until": until})

# The typers but those of `ids` (copies).
func _typers_without(ids):
	var kept = []
	for typer in _typers:
		if not ids.has(typer["id"]):
			kept.append(typer.duplicate())
	return kept

# The typers are now `list`: ["typing_changed", typers()] if who is typing changed (not when only refreshed).
func _retyped(list):
	var before = []
	for typer in _typers:
		before.append(typer["id"])
	_typers = list
	var after = []
	for typer in _typers:
		after.append(typer["id"])
	if _same(before, after):
		return []
	return [["typing_changed", typers()]]

func _sent_state(state):
	_state_before = _state_sent
	_state_sent = state.duplicate(true)

# Our last state packet was refused (the room answers state packets only to refuse them): with retryAfterMs (the
# interval, or a rate limit), the latest state goes again then, and not before; for good (`invalid_state`,
# `forbidden`), it is told once and not sent again: our state is again the one sent before it, which the next joins
# carry, unless a newer change waits (it goes).
func _state_refused(code, message, retry_after, now_ms):
	_state_sent = _state_before
	if retry_after > 0:
		_state_due = _state != null
		_state_sent_at = -1
		_state_retry_at = now_ms + retry_after
		return [["error", code, message, retry_after]]
	if not _state_due:
		_state = null if _state_sent == null else _state_sent.duplicate(true)
	return [["error", code, message, 0], ["refused", "state", code, message]]

func _state_due_at():
	var at = 0 if _state_sent_at < 0 else _state_sent_at + _limit("stateIntervalMs")
	return max(at, _state_retry_at)

# A limit of the room's, from its welcome (its default until then).
func _limit(key):
	return int(_limits.get(key, Constants.DEFAULT_LIMITS[key]))

# Equal values (Godot 3 compares dictionaries and arrays by reference).
func _same(a, b):
	return _model.same(a, b)

func _members_of(raw_members):
	var members = []
	for raw in raw_members:
		members.append(_member_of(raw))
	return members

func _member_of(packet):
	var member = {"id": int(packet.get("id", 0)), "name": str(packet.get("name", ""))}
	# A message's sender may be the room's own voice, what the game's backend posts: {id: 0, name, system: true}. Only
	# the room sets `system`, and no member has id 0.
	if typeof(packet.get("system")) == TYPE_BOOL and packet["system"]:
		member["system"] = true
		return member
	if packet.get("verified", false):
		member["verified"] = true
		member["user"] = str(packet.get("user", ""))
	elif packet.get("guest", false):
		member["guest"] = true
	if packet.has("reason"):
		member["reason"] = str(packet["reason"])
	# A member as the room lists it (welcome, pages, joins) has its state, if any, and the fields its token vouches for.
	if typeof(packet.get("state")) == TYPE_DICTIONARY and packet["state"].size() > 0:
		member["state"] = packet["state"]
	if typeof(packet.get("vouched")) == TYPE_ARRAY and packet["vouched"].size() > 0:
		member["vouched"] = []
		for field in packet["vouched"]:
			member["vouched"].append(str(field))
	return member

# A message as the game gets it, in its current state: {seq, ts, sender, text, cid?, edited?, replyTo?: {seq, name,
# text, deleted?}, data?, reactions?: [{reaction, count, by}]}, or a tombstone {seq, ts, sender, text: "",
# deleted: true, cid?}.
func _message_of(packet):
	var message = {"seq": int(packet.get("seq", 0)), "ts": int(packet.get("ts", 0)), "sender": _member_of(packet.get("sender", {})),
		"text": str(packet.get("text", ""))}
	if packet.has("cid"):
		message["cid"] = str(packet["cid"])
	if packet.get("deleted", false):
		message["deleted"] = true
		message["text"] = ""
		return message
	if packet.has("edited"):
		message["edited"] = int(packet["edited"])
	if typeof(packet.get("replyTo")) == TYPE_DICTIONARY:
		var quote = packet["replyTo"]
		message["replyTo"] = {"seq": int(quote.get("seq", 0)), "name": str(quote.get("name", "")), "text": str(quote.get("text", ""))}
		if quote.get("deleted", false):
			message["replyTo"]["deleted"] = true
			message["replyTo"]["text"] = ""
	if typeof(packet.get("data")) == TYPE_DICTIONARY:
		message["data"] = packet["data"]
	var reactions = _model.reactions_of(packet.get("reactions", []))
	if reactions.size() > 0:
		message["reactions"] = reactions
	return message
