# A chat panel for Godot 3 on top of the EdgeChat autoload: how many are here, the log, who is here with their status,
# who is typing, the room's rules as they touch the player (slow mode and its wait, a mute), a line to type in and the
# player's own status. Text from other players and from the game's backend (names, messages, statuses, a mute's
# reason) goes in with add_text(), never append_bbcode(): BBCode in it stays text, so it cannot style, link or hide
# anything. Only the panel's own markup (the bold name, the italic notices and statuses, the system's colour) is markup.
extends VBoxContainer

export var server_url = "ws://127.0.0.1:8787"
export var room = "lobby"
export var player_name = "Player"

# The last chat the player sent, put back in the line if the room refuses it for a reason the player can wait out.
var _last_sent = ""
# Slow mode's seconds as last told (-1: not yet), and how long since the rules line was drawn.
var _slow_seconds = -1
var _since_rules = 0.0

# How much of a member's status the list shows.
const STATUS_CHARS = 40
# The colour of what the game's backend posts (a message whose sender is the system): no member's line looks like it.
const SYSTEM_COLOR = Color(0.55, 0.75, 1.0)
# The refusals the player can act on, each said plainly; the others are shown as the room words them.
const REFUSALS = {
	"muted": "Not sent: you are muted.",
	"slow_mode": "Not sent: slow mode. Wait %d s.",
	"blocked_word": "Not sent: it holds a word this room does not allow.",
}

# Found when the panel runs, not named in the script: the folder must parse before its plugin adds the autoload.
onready var _chat = get_node("/root/EdgeChat")
onready var _here = $Here
onready var _log = $Body/Log
onready var _members = $Body/Members
onready var _typing = $Typing
onready var _rules = $Rules
onready var _input = $Input/Text
onready var _send = $Input/Send
onready var _status = $Input/Status

func _ready():
	_chat.connect("connected", self, "_on_connected")
	_chat.connect("reconnecting", self, "_on_reconnecting")
	_chat.connect("disconnected", self, "_on_disconnected")
	_chat.connect("chat", self, "_on_chat")
	_chat.connect("member_joined", self, "_on_member_joined")
	_chat.connect("member_left", self, "_on_member_left")
	_chat.connect("member_renamed", self, "_on_member_renamed")
	_chat.connect("member_state_changed", self, "_on_member_state_changed")
	# A large room tells its count, and the members near the player: both show as they change.
	_chat.connect("presence_changed", self, "_on_presence_changed")
	_chat.connect("typing_changed", self, "_show_typers")
	_chat.connect("message_deleted", self, "_on_message_deleted")
	_chat.connect("error", self, "_on_error")
	_chat.connect("refused", self, "_on_refused")
	_chat.connect("settings_changed", self, "_on_settings_changed")
	_chat.connect("mute_changed", self, "_on_mute_changed")
	_send.connect("pressed", self, "_submit")
	_input.connect("text_entered", self, "_on_text_entered")
	# Every keystroke says so (the addon sends at most one signal per typingIntervalMs); an emptied line stops it.
	_input.connect("text_changed", self, "_on_text_changed")
	_status.connect("text_entered", self, "_set_status")
	_chat.connect_to_room(server_url, room, player_name)

# The rules line counts a wait down; the addon tells when a mute ends.
func _process(delta):
	_since_rules += delta
	if _since_rules >= 0.5:
		_show_rules()

func _on_connected(me):
	_notice("You joined #%s as %s." % [room, me["name"]])
	_show_members()

func _on_reconnecting(delay, _attempt):
	_notice("Reconnecting in %.1f s…" % delay)

func _on_disconnected(_code, reason):
	_notice("Disconnected: %s" % reason)

func _on_member_joined(member):
	_notice("%s joined." % member["name"])
	_show_members()

func _on_member_left(member):
	_notice("%s left." % member["name"])
	_show_members()

func _on_member_renamed(_member, _previous):
	_show_members()

func _on_member_state_changed(_member):
	_show_members()

func _on_presence_changed(_mode, _count):
	_show_members()

func _on_message_deleted(seq):
	_notice("A moderator deleted message #%d." % seq)

func _on_error(code, message, retry_after_ms):
	if REFUSALS.has(code):
		message = REFUSALS[code]
		if code == "slow_mode":
			message = message % int(ceil(retry_after_ms / 1000.0))
	_notice(message)
	_show_rules()

# A chat refused for a reason the player can wait out, or reword, goes back in the line (if it is empty).
func _on_refused(request_type, code, _message):
	if request_type == "chat" and REFUSALS.has(code) and _input.text.empty():
		_input.append_at_cursor(_last_sent)

func _on_settings_changed(settings):
	var seconds = int(settings.get("slowModeSeconds", 0))
	if seconds != _slow_seconds and (_slow_seconds >= 0 or seconds > 0):
		_notice("Slow mode: one message per %d s." % seconds if seconds > 0 else "Slow mode is off.")
	_slow_seconds = seconds
	_show_rules()

func _on_mute_changed(muted, until, reason):
	if muted:
		_notice("A moderator muted you%s%s." % [" until " + _clock(until) if until > 0 else "", ": " + reason if reason != "" else ""])
	else:
		_notice("You may speak again.")
	_show_rules()

# Under the typers: a mute (the line and its button disabled until it ends), else slow mode and the player's wait.
func _show_rules():
	_since_rules = 0.0
	_rules.clear()
	var muted = _chat.muted()
	_input.editable = muted == null
	_send.disabled = muted != null
	if muted != null:
		_rules.add_text("You are muted" + (" until " + _clock(muted["until"]) if muted.has("until") else ""))
		if muted.has("reason"):
			_rules.add_text(" (" + muted["reason"] + ")")
		return
	var wait = _chat.slow_mode_wait()
	if wait > 0:
		_rules.add_text("Slow mode: wait %d s" % int(ceil(wait / 1000.0)))
	elif _slow_seconds > 0:
		_rules.add_text("Slow mode: one message per %d s" % _slow_seconds)

# The epoch's `ms` as the player's local time of day, "14:05".
func _clock(ms):
	var time = OS.get_datetime_from_unix_time(ms / 1000 + OS.get_time_zone_info()["bias"] * 60)
	return "%02d:%02d" % [time["hour"], time["minute"]]

func _on_text_changed(text):
	if text.empty():
		_chat.stop_typing()
	else:
		_chat.typing()

func _on_chat(message):
	if message["sender"].get("system", false):
		# The game's own voice, in its colour and marked, whatever name the backend gave it.
		_log.push_color(SYSTEM_COLOR)
		var text = "message deleted" if message.get("deleted", false) else message["text"]
		_log.add_text("[system] " + message["sender"]["name"] + ": " + text)
		_log.pop()
		_log.newline()
		return
	_log.push_bold()
	_log.add_text(message["sender"]["name"])
	_log.pop()
	if message["sender"].get("verified", false):
		_log.add_text(" ✓")
	_log.add_text(": " + ("message deleted" if message.get("deleted", false) else message["text"]))
	_log.newline()
	# The player's own starts slow mode's wait.
	_show_rules()

func _notice(text):
	_log.push_italics()
	_log.add_text(text)
	_log.pop()
	_log.newline()

# Who is here, each with its status after its name: both as text.
func _show_members():
	_here.clear()
	_here.add_text("#%s · %d here" % [room, _chat.member_count()])
	_members.clear()
	for member in _chat.members():
		_members.add_text(member["name"])
		if member.get("verified", false):
			_members.add_text(" ✓")
		var status = member.get("state", {}).get("status")
		if typeof(status) == TYPE_STRING and not status.empty():
			_members.add_text(" ")
			_members.push_italics()
			_members.add_text(status.left(STATUS_CHARS))
			_members.pop()
		_members.newline()

func _show_typers(typers):
	_typing.clear()
	if typers.empty():
		return
	var first = typers[0]["name"]
	if typers.size() == 1:
		_typing.add_text("%s is typing…" % first)
	elif typers.size() == 2:
		_typing.add_text("%s and %s are typing…" % [first, typers[1]["name"]])
	else:
		_typing.add_text("%s and %d others are typing…" % [first, typers.size() - 1])

func _set_status(text):
	var status = text.strip_edges()
	_chat.set_state({} if status.empty() else {"status": status})

func _on_text_entered(_text):
	_submit()

func _submit():
	var text = _input.text.strip_edges()
	if text.empty():
		return
	# Muted: the text stays, and the rules line says why. Slow mode's wait is only shown: a moderator has none, and a
	# chat sent too soon is refused and put back.
	if _chat.muted() != null:
		_show_rules()
		return
	# Sending ends the player's typing for everyone.
	_last_sent = text
	_chat.send_chat(text)
	_input.clear()
