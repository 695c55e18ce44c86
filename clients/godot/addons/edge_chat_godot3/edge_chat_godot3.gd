# EdgeChat for Godot 3 (3.2 and later): the socket adapter around chat_logic.gd, which decides everything. The plugin
# registers it as the autoload EdgeChat (Project > Project Settings > Plugins: enable "Edge Chat"); Godot 4 uses
# addons/edge_chat instead.
#
#   EdgeChat.connect("chat", self, "_on_chat")
#   EdgeChat.connect_to_room("wss://chat.example.com", "lobby", "Player")
#   EdgeChat.send_chat("hello")
extends Node

signal connected(me)
signal disconnected(code, reason)
signal reconnecting(delay_seconds, attempt)
signal chat(message)
signal member_joined(member)
signal member_left(member)
# Not "renamed": every Node has a signal of that name already (the node itself was renamed).
signal member_renamed(member, previous)
signal history(messages, more)
signal message_deleted(seq)
# A message delivered before changed: its whole new state (as messages() holds it now), and what changed it:
# "edited", "deleted", "reactions", or "state" (its state on a resume, or a reply whose original was deleted).
signal message_changed(message, change)
signal error(code, message, retry_after_ms)
# The room refused for good a chat, edit, delete_message, react or unreact of the player's (`request_type`: "chat",
# "edit", "delete", "react", "unreact"), after `error` with the same code: it is not sent again.
signal refused(request_type, code, message)
# The connection needs a new token: the room closed it because its token expired (4010), or a reconnect is due.
# Fetch one from your backend and answer with set_token(token); the addon connects with it at once and resumes, with
# no `disconnected` or `reconnecting`. Listen to it only if your game can get new tokens: without a listener, an
# expired token ends the connection (`disconnected` with 4010). No answer within 10 s is a failed attempt.
signal token_needed()
# Who is typing changed (someone started, stopped, sent a chat, left, or went quiet for typingTimeoutMs): the typers
# now, members as members() lists them, in the order they started; never the player.
signal typing_changed(typers)
# A member's state changed (its own, or the player's once the room took it): its entry as members() lists it now.
signal member_state_changed(member)
# The room's settings, as the first welcome says them and whenever a moderator changes them:
# {"slowModeSeconds": one chat per member per this many seconds (0: off), "listed", "title"?}. settings() says them.
signal settings_changed(settings)
# A moderator muted the player (`muted` true; `until`: when it ends, the epoch's ms, 0 for until unmuted; `reason`:
# "" for none), or its mute is over (false, 0, ""): lifted, or its time is up (told by the addon, at `until`). A muted
# player stays and reads, but its chats, edits, reactions, renames and state are refused (`error` "muted").
signal mute_changed(muted, until, reason)
# The room's answer to a moderator's call of the player's, as it came: {"type": "muted", "id"?, "name"?, "user",
# "until"?} or {"type": "unmuted", "user"}. A call refused (`forbidden` for a member) is `error`, then `refused`.
signal moderated(answer)
# How the room tells its presence, and how many are here: at each welcome, each presence packet of a room past its
# presenceListMax, and when a member who spoke was added to members() in such a room. `mode` "list": members() lists
# everyone, and joins and leaves come as member_joined and member_left; "summary": members() lists the members near the
# player (moderators, those who speak, the player), member_joined and member_left tell only of those, and
# member_count() counts everyone; load_members() pages the whole list.
signal presence_changed(mode, member_count)
# The room's answer to load_members(): a page of its whole member list, in the order they joined; `more` follow.
signal members_page(members, more)

const Logic = preload("chat_logic.gd")
# The clients' numbers, written from the TypeScript client's (tools/client-constants.ts).
const Constants = preload("constants.gd")
# A ping keeps proxies from closing an idle connection and shows a dead one; the room answers it without waking.
const PING_INTERVAL_MS = Constants.PING_INTERVAL_MS
# How long the welcome, or a pong, may take before the connection counts as dead.
const ANSWER_TIMEOUT_MS = Constants.ANSWER_TIMEOUT_MS
# Where Godot 3 keeps the size of a WebSocket client's inbound buffer, in KiB: the largest frame it takes.
const IN_BUFFER_SETTING = "network/limits/websocket_client/max_in_buffer_kb"

var _logic = null
var _client = null
# The last socket dropped, kept until the next drop: it is dropped from within its own signals, and freeing it there
# is an error ("freed or unreferenced while a signal is being emitted").
var _dropped_client = null
var _room_url = ""
var _url = ""
var _awaiting_token = false
var _close_code = 1006
var _close_reason = ""
var _reconnect_at = -1
var _ping_at = -1
var _answer_by = -1
var _send_at = -1
# The player's state set before any connect_to_room() (null: none); after, the logic keeps it.
var _state = null

func connect_to_room(base_url, room, display_name, token = ""):
	if not _is_socket_address(base_url):
		_refuse(base_url, display_name)
		return
	_room_url = base_url.trim_suffix("/") + "/rooms/" + room
	_use_token(token)
	# The player's state goes with the new connection's join: as set before any connection, or as the last one left it.
	var state = _state if _logic == null else _logic.own_state()
	_logic = Logic.new(display_name)
	if state != null:
		_logic.set_state(state)
	if ProjectSettings.has_setting(IN_BUFFER_SETTING):
		# A ring buffer: it holds one byte less than its size.
		_logic.max_frame_bytes = int(ProjectSettings.get_setting(IN_BUFFER_SETTING)) * 1024 - 1
	_open()

# The answer to `token_needed`: a new token from your backend.
func set_token(token):
	_use_token(token)
	if _awaiting_token:
		_awaiting_token = false
		_open()

# `options`: "replyTo" (the seq of the message it answers), "data" (a Dictionary for the game, stored and delivered
# as is; at most limits.maxDataBytes as JSON).
func send_chat(text, options = {}):
	_emit(_logic.send_chat(text, options))
	_drain()

# Changes the player's own message `seq`. Edits, deletions and reactions are queued and paced with the chats.
func edit(seq, text):
	_emit(_logic.edit(seq, text))
	_drain()

# Deletes the player's own message `seq` (a moderator may delete anyone's).
func delete_message(seq):
	_emit(_logic.delete_message(seq))
	_drain()

# Gives message `seq` a reaction: one emoji, or ":name:".
func react(seq, reaction):
	_emit(_logic.react(seq, reaction))
	_drain()

func unreact(seq, reaction):
	_emit(_logic.unreact(seq, reaction))
	_drain()

# The messages delivered, {seq: message}, each in its current state (edited, deleted, its reactions now).
func messages():
	return {} if _logic == null else _logic.messages()

# Whether the player gave reaction `reaction` to message `seq` (from this connection) and did not take it back.
func reacted_by_me(seq, reaction):
	return _logic != null and _logic.reacted_by_me(seq, reaction)

func rename(display_name):
	_logic.rename(display_name)
	_drain()

# The room's members as last heard, in the order they joined: [{id, name, verified?, user?, guest?, state?, vouched?}].
func members():
	return [] if _logic == null else _logic.members()

# How many members the room has, the player included.
func member_count():
	return 0 if _logic == null else _logic.member_count()

# "list" or "summary" (see presence_changed).
func presence():
	return "list" if _logic == null else _logic.presence()

# Asks for the next page of the room's whole member list (`from_start`: the first again), answered by members_page and
# never merged into members(); false if a page is on its way, or the last said there were no more.
func load_members(from_start = false):
	if _logic == null or not _logic.load_members(from_start):
		return false
	_drain()
	return true

# The members typing now, in the order they started (never the player).
func typers():
	return [] if _logic == null else _logic.typers()

# The player typed (call it on every change of the input, e.g. LineEdit's text_changed): the room hears of it at
# most once per typingIntervalMs, and never later than now (nothing is queued).
func typing():
	if _logic != null:
		_emit(_logic.typing(OS.get_ticks_msec()))

# The player stopped typing without sending (cleared the input): the others stop showing it at once.
func stop_typing():
	if _logic != null:
		_emit(_logic.stop_typing(OS.get_ticks_msec()))

# The player's state, shown to everyone beside its name (e.g. {"status": "in a match"}; {} clears it): at most one
# change per stateIntervalMs goes to the room, the latest; it goes with every join too.
func set_state(state):
	if _logic == null:
		if typeof(state) == TYPE_DICTIONARY:
			_state = state.duplicate(true)
		else:
			_emit([["error", "invalid_state", "a state must be a JSON object (a Dictionary)", 0],
				["refused", "state", "invalid_state", "a state must be a JSON object (a Dictionary)"]])
		return
	_emit(_logic.set_state(state))
	_drain()

# The room's settings as last told: {"slowModeSeconds", "listed", "title"?} ({} before the first welcome).
func settings():
	return {} if _logic == null else _logic.settings()

# null if the player may speak; else {"until"?: when the mute ends, the epoch's ms, "reason"?}.
func muted():
	return null if _logic == null else _logic.muted()

# How long, in ms, slow mode makes the player wait before its next chat (0: none): after its last chat, or a
# `slow_mode` refusal. A moderator, whom slow mode spares, is shown the wait too.
func slow_mode_wait():
	return 0 if _logic == null else _logic.slow_mode_wait(OS.get_ticks_msec())

# A moderator's calls (see `moderated`). Mutes member `id` for `minutes` (0: until unmuted), for `reason`.
func mute(id, minutes = 0, reason = ""):
	_emit(_logic.mute(id, minutes, reason))
	_drain()

# Lifts the mute of `user`, as the `muted` answer named it.
func unmute(user):
	_emit(_logic.unmute(user))
	_drain()

# Changes the room's settings given: {"slowModeSeconds"?: 0..3600, "listed"?: bool, "title"?: 1..64 characters}.
func set_settings(changes):
	_emit(_logic.set_settings(changes))
	_drain()

func load_older():
	if _logic.load_older():
		_drain()

func leave():
	_logic.leave()
	_reconnect_at = -1
	_awaiting_token = false
	if _client != null:
		_client.disconnect_from_host(1000, "leave")
	else:
		_emit([["disconnected", 1000, "leave"]])

# -------------------------------------------------------------------------------------------------------------------

# Anything else never connects, and would be retried quietly until the backoff gives up: it is refused at once.
func _is_socket_address(base_url):
	var lower = base_url.to_lower()
	return lower.begins_with("ws://") or lower.begins_with("wss://")

func _refuse(base_url, display_name):
	var message = "EdgeChat: \"%s\" is not a WebSocket address: it must begin with ws:// or wss://" % base_url
	push_error(message)
	# Stopped logic: a send_chat() before the next connect_to_room() is queued, not sent anywhere.
	_logic = Logic.new(display_name)
	_logic.leave()
	_emit([["error", "bad_address", message, 0], ["disconnected", 0, message]])

func _use_token(token):
	_url = _room_url
	if token != "":
		_url += "?token=" + token

# Each attempt after the first asks the game for a new token, if it gives them: a reconnect never shows a stale one.
func _attempt():
	if _logic.refreshes_token:
		_emit([["token_needed"]])
	else:
		_open()

func _open():
	_client = WebSocketClient.new()
	_client.connect("connection_established", self, "_on_open")
	_client.connect("connection_closed", self, "_on_closed")
	_client.connect("connection_error", self, "_on_closed")
	_client.connect("server_close_request", self, "_on_close_request")
	_client.connect("data_received", self, "_on_data")
	_close_code = 1006
	_close_reason = ""
	_answer_by = OS.get_ticks_msec() + ANSWER_TIMEOUT_MS
	if _client.connect_to_url(_url) != OK:
		_dropped()

func _process(_delta):
	var now = OS.get_ticks_msec()
	if _client != null:
		_client.poll()
	if _reconnect_at >= 0 and now >= _reconnect_at:
		_reconnect_at = -1
		_attempt()
	var due = -1 if _logic == null else _logic.next_timer()
	if due >= 0 and now >= due:
		# A typer went quiet, or our state's interval ended.
		_emit(_logic.tick(now))
		_drain()
	if _awaiting_token and now >= _answer_by:
		# No token came in time: a failed attempt, tried again after a backoff delay.
		_awaiting_token = false
		_answer_by = -1
		_emit(_logic.on_closed(1006, "no token"))
	if _client == null:
		return
	if _answer_by >= 0 and now >= _answer_by:
		_dropped()
		return
	if _ping_at >= 0 and now >= _ping_at:
		_client.get_peer(1).put_packet("ping".to_utf8())
		_ping_at = now + PING_INTERVAL_MS
		_answer_by = now + ANSWER_TIMEOUT_MS
	if _send_at >= 0 and now >= _send_at:
		_drain()

func _on_open(_protocol = ""):
	# Text frames, as the room's keep-alive answer expects its "ping".
	_client.get_peer(1).set_write_mode(WebSocketPeer.WRITE_MODE_TEXT)
	_put(_logic.join_packet())

func _on_close_request(code, reason):
	_close_code = code
	_close_reason = reason

func _on_closed(_was_clean = false):
	_dropped()

func _on_data():
	var text = _client.get_peer(1).get_packet().get_string_from_utf8()
	_answer_by = -1
	if text == "pong":
		return
	var parsed = JSON.parse(text)
	if parsed.error != OK or typeof(parsed.result) != TYPE_DICTIONARY:
		return
	_logic.clock_offset_ms = OS.get_system_time_msecs() - OS.get_ticks_msec()
	_emit(_logic.on_packet(parsed.result, OS.get_ticks_msec(), text.to_utf8().size()))
	_drain()

func _dropped():
	if _client == null:
		return
	_dropped_client = _client
	_client = null
	_ping_at = -1
	_answer_by = -1
	_send_at = -1
	_dropped_client.disconnect_from_host(1000, "")
	# The game gives new tokens if it listens for them.
	_logic.refreshes_token = not get_signal_connection_list("token_needed").empty()
	_emit(_logic.on_closed(_close_code, _close_reason))

func _emit(events):
	for event in events:
		if event[0] == "connected":
			_ping_at = OS.get_ticks_msec() + PING_INTERVAL_MS
		elif event[0] == "reconnecting":
			_reconnect_at = OS.get_ticks_msec() + int(event[1] * 1000)
		elif event[0] == "_close_socket":
			# The room refused the join: this socket is done with, and its close is no drop.
			var client = _client
			_client = null
			_ping_at = -1
			_answer_by = -1
			_send_at = -1
			client.disconnect_from_host(1000, "join refused")
			continue
		elif event[0] == "_send":
			if _client != null:
				_put(event[1])
			continue
		elif event[0] == "token_needed":
			# Set before the signal: a game may answer (set_token) within it.
			_awaiting_token = true
			_answer_by = OS.get_ticks_msec() + ANSWER_TIMEOUT_MS
		callv("emit_signal", event)

# Sends what may go now, as the room's rate limit allows; comes back when the rest may.
func _drain():
	_send_at = -1
	while _client != null:
		# One moment for both calls: what wait_before_sending takes is the packet sized here.
		var now = OS.get_ticks_msec()
		var packet = _logic.next_packet(now)
		if packet == null:
			return
		var frame = to_json(packet)
		var wait = _logic.wait_before_sending(now, frame.to_utf8().size())
		if wait > 0:
			_send_at = now + wait
			return
		_client.get_peer(1).put_packet(frame.to_utf8())

func _put(packet):
	_client.get_peer(1).put_packet(to_json(packet).to_utf8())
