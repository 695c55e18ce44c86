# A chat panel for Godot 3 on top of the EdgeChat autoload: how many are here, the log, who is here with their status,
# who is typing, a line to type in and the player's own status. Text from other players (names, messages, statuses)
# goes in with add_text(), never append_bbcode(): BBCode in it stays text, so it cannot style, link or hide anything.
# Only the panel's own markup (the bold name, the italic notices and statuses) is markup.
extends VBoxContainer

export var server_url = "ws://127.0.0.1:8787"
export var room = "lobby"
export var player_name = "Player"

# How much of a member's status the list shows.
const STATUS_CHARS = 40

# Found when the panel runs, not named in the script: the folder must parse before its plugin adds the autoload.
onready var _chat = get_node("/root/EdgeChat")
onready var _here = $Here
onready var _log = $Body/Log
onready var _members = $Body/Members
onready var _typing = $Typing
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
	_chat.connect("typing_changed", self, "_show_typers")
	_chat.connect("message_deleted", self, "_on_message_deleted")
	_chat.connect("error", self, "_on_error")
	_send.connect("pressed", self, "_submit")
	_input.connect("text_entered", self, "_on_text_entered")
	# Every keystroke says so (the addon sends at most one signal per typingIntervalMs); an emptied line stops it.
	_input.connect("text_changed", self, "_on_text_changed")
	_status.connect("text_entered", self, "_set_status")
	_chat.connect_to_room(server_url, room, player_name)

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

func _on_message_deleted(seq):
	_notice("A moderator deleted message #%d." % seq)

func _on_error(_code, message, _retry_after_ms):
	_notice(message)

func _on_text_changed(text):
	if text.empty():
		_chat.stop_typing()
	else:
		_chat.typing()

func _on_chat(message):
	_log.push_bold()
	_log.add_text(message["sender"]["name"])
	_log.pop()
	if message["sender"].get("verified", false):
		_log.add_text(" ✓")
	_log.add_text(": " + ("message deleted" if message.get("deleted", false) else message["text"]))
	_log.newline()

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
	# Sending ends the player's typing for everyone.
	_chat.send_chat(text)
	_input.clear()
