# EdgeChat for Godot 4: the socket adapter around chat_logic.gd, which decides everything. The plugin registers it
# as the autoload EdgeChat (Project > Project Settings > Plugins: enable "Edge Chat").
#
#   EdgeChat.chat.connect(_on_chat)
#   EdgeChat.connect_to_room("wss://chat.example.com", "lobby", "Player")
#   EdgeChat.send_chat("hello")
extends Node

signal connected(me: Dictionary)
signal disconnected(code: int, reason: String)
signal reconnecting(delay_seconds: float, attempt: int)
signal chat(message: Dictionary)
signal member_joined(member: Dictionary)
signal member_left(member: Dictionary)
# Not "renamed": every Node has a signal of that name already (the node itself was renamed).
signal member_renamed(member: Dictionary, previous: String)
signal history(messages: Array, more: bool)
signal message_deleted(seq: int)
# A message delivered before changed: its whole new state (as messages() holds it now), and what changed it:
# "edited", "deleted", "reactions", or "state" (its state on a resume, or a reply whose original was deleted).
signal message_changed(message: Dictionary, change: String)
signal error(code: String, message: String, retry_after_ms: int)
# The room refused for good a chat, edit, delete_message, react or unreact of the player's (`request_type`: "chat",
# "edit", "delete", "react", "unreact"), after `error` with the same code: it is not sent again.
signal refused(request_type: String, code: String, message: String)
# The connection needs a new token: the room closed it because its token expired (4010), or a reconnect is due.
# Fetch one from your backend and answer with set_token(token); the addon connects with it at once and resumes, with
# no `disconnected` or `reconnecting`. Listen to it only if your game can get new tokens: without a listener, an
# expired token ends the connection (`disconnected` with 4010). No answer within 10 s is a failed attempt.
signal token_needed()
# Who is typing changed (someone started, stopped, sent a chat, left, or went quiet for typingTimeoutMs): the typers
# now, members as members() lists them, in the order they started; never the player.
signal typing_changed(typers: Array)
# A member's state changed (its own, or the player's once the room took it): its entry as members() lists it now.
signal member_state_changed(member: Dictionary)
# The room's settings, as the first welcome says them and whenever a moderator changes them:
# {"slowModeSeconds": one chat per member per this many seconds (0: off), "listed", "title"?}. settings() says them.
signal settings_changed(settings: Dictionary)
# A moderator muted the player (`muted` true; `until`: when it ends, the epoch's ms, 0 for until unmuted; `reason`:
# "" for none), or its mute is over (false, 0, ""): lifted, or its time is up (told by the addon, at `until`). A muted
# player stays and reads, but its chats, edits, reactions, renames and state are refused (`error` "muted").
signal mute_changed(muted: bool, until: int, reason: String)
# The room's answer to a moderator's call of the player's, as it came: {"type": "muted", "id"?, "name"?, "user",
# "until"?} or {"type": "unmuted", "user"}. A call refused (`forbidden` for a member) is `error`, then `refused`.
signal moderated(answer: Dictionary)
# How the room tells its presence, and how many are here: at each welcome, each presence packet of a room past its
# presenceListMax, and when a member who spoke was added to members() in such a room. `mode` "list": members() lists
# everyone, and joins and leaves come as member_joined and member_left; "summary": members() lists the members near the
# player (moderators, those who speak, the player), member_joined and member_left tell only of those, and
# member_count() counts everyone; load_members() pages the whole list.
signal presence_changed(mode: String, member_count: int)
# The room's answer to load_members(): a page of its whole member list, in the order they joined; `more` follow.
signal members_page(members: Array, more: bool)

const Logic = preload("chat_logic.gd")
# The clients' numbers, written from the TypeScript client's (tools/client-constants.ts).
const Constants = preload("constants.gd")
# A ping keeps proxies from closing an idle connection and shows a dead one; the room answers it without waking.
const PING_INTERVAL_MS = Constants.PING_INTERVAL_MS
# How long the welcome, or a pong, may take before the connection counts as dead.
const ANSWER_TIMEOUT_MS = Constants.ANSWER_TIMEOUT_MS

# The largest frame the socket takes, in bytes (WebSocketPeer's inbound_buffer_size): a room with a long history
# sends a large welcome. Set it before connect_to_room().
var inbound_buffer_size: int = Constants.GODOT_MAX_FRAME_BYTES

var _logic = null
var _socket: WebSocketPeer = null
var _opened := false
var _room_url := ""
var _url := ""
var _awaiting_token := false
var _reconnect_at := -1
var _ping_at := -1
var _answer_by := -1
var _send_at := -1
# The player's state set before any connect_to_room() (null: none); after, the logic keeps it.
var _state = null

func connect_to_room(base_url: String, room: String, display_name: String, token := "") -> void:
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
	_open()

# The answer to `token_needed`: a new token from your backend.
func set_token(token: String) -> void:
	_use_token(token)
	if _awaiting_token:
		_awaiting_token = false
		_open()

# `options`: "replyTo" (the seq of the message it answers), "data" (a Dictionary for the game, stored and delivered
# as is; at most limits.maxDataBytes as JSON).
func send_chat(text: String, options := {}) -> void:
	_emit(_logic.send_chat(text, options))
	_drain()

# Changes the player's own message `seq`. Edits, deletions and reactions are queued and paced with the chats.
func edit(seq: int, text: String) -> void:
	_emit(_logic.edit(seq, text))
	_drain()

# Deletes the player's own message `seq` (a moderator may delete anyone's).
func delete_message(seq: int) -> void:
	_emit(_logic.delete_message(seq))
	_drain()

# Gives message `seq` a reaction: one emoji, or ":name:".
func react(seq: int, reaction: String) -> void:
	_emit(_logic.react(seq, reaction))
	_drain()

func unreact(seq: int, reaction: String) -> void:
	_emit(_logic.unreact(seq, reaction))
	_drain()

# The messages delivered, {seq: message}, each in its current state (edited, deleted, its reactions now).
func messages() -> Dictionary:
	return {} if _logic == null else _logic.messages()

# Whether the player gave reaction `reaction` to message `seq` (from this connection) and did not take it back.
func reacted_by_me(seq: int, reaction: String) -> bool:
	return _logic != null and _logic.reacted_by_me(seq, reaction)

func rename(display_name: String) -> void:
	_logic.rename(display_name)
	_drain()

# The room's members as last heard, in the order they joined: [{id, name, verified?, user?, guest?, state?, vouched?}].
func members() -> Array:
	return [] if _logic == null else _logic.members()

# How many members the room has, the player included.
func member_count() -> int:
	return 0 if _logic == null else _logic.member_count()

# "list" or "summary" (see presence_changed).
func presence() -> String:
	return "list" if _logic == null else _logic.presence()

# Asks for the next page of the room's whole member list (`from_start`: the first again), answered by members_page and
# never merged into members(); false if a page is on its way, or the last said there were no more.
func load_members(from_start := false) -> bool:
	if _logic == null or not _logic.load_members(from_start):
		return false
	_drain()
	return true

# The members typing now, in the order they started (never the player).
func typers() -> Array:
	return [] if _logic == null else _logic.typers()

# The player typed (call it on every change of the input, e.g. LineEdit's text_changed): the room hears of it at
# most once per typingIntervalMs, and never later than now (nothing is queued).
func typing() -> void:
	if _logic != null:
		_emit(_logic.typing(Time.get_ticks_msec()))

# The player stopped typing without sending (cleared the input): the others stop showing it at once.
func stop_typing() -> void:
	if _logic != null:
		_emit(_logic.stop_typing(Time.get_ticks_msec()))

# The player's state, shown to everyone beside its name (e.g. {"status": "in a match"}; {} clears it): at most one
# change per stateIntervalMs goes to the room, the latest; it goes with every join too.
func set_state(state: Dictionary) -> void:
	if _logic == null:
		_state = state.duplicate(true)
		return
	_emit(_logic.set_state(state))
	_drain()

# The room's settings as last told: {"slowModeSeconds", "listed", "title"?} ({} before the first welcome).
func settings() -> Dictionary:
	return {} if _logic == null else _logic.settings()

# null if the player may speak; else {"until"?: when the mute ends, the epoch's ms, "reason"?}.
func muted():
	return null if _logic == null else _logic.muted()

# How long, in ms, slow mode makes the player wait before its next chat (0: none): after its last chat, or a
# `slow_mode` refusal. A moderator, whom slow mode spares, is shown the wait too.
func slow_mode_wait() -> int:
	return 0 if _logic == null else _logic.slow_mode_wait(Time.get_ticks_msec())

# A moderator's calls (see `moderated`). Mutes member `id` for `minutes` (0: until unmuted), for `reason`.
func mute(id: int, minutes := 0, reason := "") -> void:
	_emit(_logic.mute(id, minutes, reason))
	_drain()

# Lifts the mute of `user`, as the `muted` answer named it.
func unmute(user: String) -> void:
	_emit(_logic.unmute(user))
	_drain()

# Changes the room's settings given: {"slowModeSeconds"?: 0..3600, "listed"?: bool, "title"?: 1..64 characters}.
func set_settings(changes: Dictionary) -> void:
	_emit(_logic.set_settings(changes))
	_drain()

func load_older() -> void:
	if _logic.load_older():
		_drain()

func leave() -> void:
	_logic.leave()
	_reconnect_at = -1
	_awaiting_token = false
	if _socket != null:
		_socket.close(1000, "leave")
	else:
		_emit([["disconnected", 1000, "leave"]])

# -------------------------------------------------------------------------------------------------------------------

# Anything else never connects, and would be retried quietly until the backoff gives up: it is refused at once.
func _is_socket_address(base_url: String) -> bool:
	var lower := base_url.to_lower()
	return lower.begins_with("ws://") or lower.begins_with("wss://")

func _refuse(base_url: String, display_name: String) -> void:
	var message := "EdgeChat: \"%s\" is not a WebSocket address: it must begin with ws:// or wss://" % base_url
	push_error(message)
	# Stopped logic: a send_chat() before the next connect_to_room() is queued, not sent anywhere.
	_logic = Logic.new(display_name)
	_logic.leave()
	_emit([["error", "bad_address", message, 0], ["disconnected", 0, message]])

func _use_token(token: String) -> void:
	_url = _room_url
	if token != "":
		_url += "?token=" + token.uri_encode()

# Each attempt after the first asks the game for a new token, if it gives them: a reconnect never shows a stale one.
func _attempt() -> void:
	if _logic.refreshes_token:
		_emit([["token_needed"]])
	else:
		_open()

func _open() -> void:
	_socket = WebSocketPeer.new()
	_socket.inbound_buffer_size = inbound_buffer_size
	# The join tells the room the largest frame the socket takes, so that it cuts what it sends to fit.
	_logic.max_frame_bytes = _socket.inbound_buffer_size
	_opened = false
	_answer_by = Time.get_ticks_msec() + ANSWER_TIMEOUT_MS
	if _socket.connect_to_url(_url) != OK:
		_dropped(1006, "could not connect")

func _process(_delta: float) -> void:
	var now := Time.get_ticks_msec()
	if _reconnect_at >= 0 and now >= _reconnect_at:
		_reconnect_at = -1
		_attempt()
	var due: int = -1 if _logic == null else _logic.next_timer()
	if due >= 0 and now >= due:
		# A typer went quiet, or our state's interval ended.
		_emit(_logic.tick(now))
		_drain()
	if _awaiting_token and now >= _answer_by:
		# No token came in time: a failed attempt, tried again after a backoff delay.
		_awaiting_token = false
		_answer_by = -1
		_emit(_logic.on_closed(1006, "no token"))
	if _socket == null:
		return
	_socket.poll()
	var state := _socket.get_ready_state()
	if state == WebSocketPeer.STATE_OPEN and not _opened:
		_opened = true
		_send(_logic.join_packet())
	while _socket != null and _socket.get_available_packet_count() > 0:
		_on_frame(_socket.get_packet().get_string_from_utf8())
	if _socket == null:
		return
	if state == WebSocketPeer.STATE_CLOSED:
		_dropped(_socket.get_close_code(), _socket.get_close_reason())
		return
	if _answer_by >= 0 and now >= _answer_by:
		_dropped(1006, "no answer")
		return
	if _ping_at >= 0 and now >= _ping_at:
		_socket.send_text("ping")
		_ping_at = now + PING_INTERVAL_MS
		_answer_by = now + ANSWER_TIMEOUT_MS
	if _send_at >= 0 and now >= _send_at:
		_drain()

func _on_frame(text: String) -> void:
	_answer_by = -1
	if text == "pong":
		return
	var packet = JSON.parse_string(text)
	if typeof(packet) != TYPE_DICTIONARY:
		return
	_logic.clock_offset_ms = int(Time.get_unix_time_from_system() * 1000.0) - Time.get_ticks_msec()
	_emit(_logic.on_packet(packet, Time.get_ticks_msec(), text.to_utf8_buffer().size()))
	_drain()

func _dropped(code: int, reason: String) -> void:
	if _socket == null:
		return
	var socket := _socket
	_socket = null
	_ping_at = -1
	_answer_by = -1
	_send_at = -1
	socket.close(1000)
	# The game gives new tokens if it listens for them.
	_logic.refreshes_token = not get_signal_connection_list("token_needed").is_empty()
	# -1: closed without a close frame (the connection died).
	_emit(_logic.on_closed(1006 if code < 0 else code, reason))

func _emit(events: Array) -> void:
	for event in events:
		if event[0] == "connected":
			_ping_at = Time.get_ticks_msec() + PING_INTERVAL_MS
		elif event[0] == "reconnecting":
			_reconnect_at = Time.get_ticks_msec() + int(event[1] * 1000)
		elif event[0] == "_close_socket":
			# The room refused the join: this socket is done with, and its close is no drop.
			var socket := _socket
			_socket = null
			_ping_at = -1
			_answer_by = -1
			_send_at = -1
			socket.close(1000, "join refused")
			continue
		elif event[0] == "_send":
			if _socket != null and _opened:
				_send(event[1])
			continue
		elif event[0] == "token_needed":
			# Set before the signal: a game may answer (set_token) within it.
			_awaiting_token = true
			_answer_by = Time.get_ticks_msec() + ANSWER_TIMEOUT_MS
		callv("emit_signal", event)

# Sends what may go now, as the room's rate limit allows; comes back when the rest may.
func _drain() -> void:
	_send_at = -1
	while _socket != null and _opened:
		# One moment for both calls: what wait_before_sending takes is the packet sized here.
		var now := Time.get_ticks_msec()
		var packet = _logic.next_packet(now)
		if packet == null:
			return
		var frame := JSON.stringify(packet)
		var wait: int = _logic.wait_before_sending(now, frame.to_utf8_buffer().size())
		if wait > 0:
			_send_at = now + wait
			return
		_socket.send_text(frame)

func _send(packet: Dictionary) -> void:
	_socket.send_text(JSON.stringify(packet))
