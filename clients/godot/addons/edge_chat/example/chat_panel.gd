# A chat panel for Godot 4 on top of the EdgeChat autoload: how many are here, the log, who is here with their status,
# who is typing, a line to type in and the player's own status. Text from other players (names, messages, statuses)
# goes in with add_text(), never append_text(): BBCode in it stays text, so it cannot style, link or hide anything.
# Only the panel's own markup (the bold name, the italic notices and statuses) is markup.
extends VBoxContainer

@export var server_url := "ws://127.0.0.1:8787"
@export var room := "lobby"
@export var player_name := "Player"

# How much of a member's status the list shows.
const STATUS_CHARS = 40

# Found when the panel runs, not named in the script: the folder must parse before its plugin adds the autoload.
@onready var _chat = get_node("/root/EdgeChat")
@onready var _here: RichTextLabel = $Here
@onready var _log: RichTextLabel = $Body/Log
@onready var _members: RichTextLabel = $Body/Members
@onready var _typing: RichTextLabel = $Typing
@onready var _input: LineEdit = $Input/Text
@onready var _send: Button = $Input/Send
@onready var _status: LineEdit = $Input/Status

func _ready() -> void:
	_chat.connected.connect(_on_connected)
	_chat.reconnecting.connect(func(delay, _attempt): _notice("Reconnecting in %.1f s…" % delay))
	_chat.disconnected.connect(func(_code, reason): _notice("Disconnected: %s" % reason))
	_chat.chat.connect(_on_chat)
	_chat.member_joined.connect(func(member): _on_member(member, "joined"))
	_chat.member_left.connect(func(member): _on_member(member, "left"))
	_chat.member_renamed.connect(func(_member, _previous): _show_members())
	_chat.member_state_changed.connect(func(_member): _show_members())
	_chat.typing_changed.connect(_show_typers)
	_chat.message_deleted.connect(func(seq): _notice("A moderator deleted message #%d." % seq))
	_chat.error.connect(func(_code, message, _retry): _notice(message))
	_send.pressed.connect(_submit)
	_input.text_submitted.connect(func(_text): _submit())
	# Every keystroke says so (the addon sends at most one signal per typingIntervalMs); an emptied line stops it.
	_input.text_changed.connect(_on_text_changed)
	_status.text_submitted.connect(_set_status)
	_chat.connect_to_room(server_url, room, player_name)

func _on_connected(me: Dictionary) -> void:
	_notice("You joined #%s as %s." % [room, me["name"]])
	_show_members()

func _on_member(member: Dictionary, what: String) -> void:
	_notice("%s %s." % [member["name"], what])
	_show_members()

func _on_text_changed(text: String) -> void:
	if text.is_empty():
		_chat.stop_typing()
	else:
		_chat.typing()

func _on_chat(message: Dictionary) -> void:
	_log.push_bold()
	_log.add_text(message["sender"]["name"])
	_log.pop()
	if message["sender"].get("verified", false):
		_log.add_text(" ✓")
	_log.add_text(": " + ("message deleted" if message.get("deleted", false) else message["text"]))
	_log.newline()

func _notice(text: String) -> void:
	_log.push_italics()
	_log.add_text(text)
	_log.pop()
	_log.newline()

# Who is here, each with its status after its name: both as text.
func _show_members() -> void:
	_here.clear()
	_here.add_text("#%s · %d here" % [room, _chat.member_count()])
	_members.clear()
	for member in _chat.members():
		_members.add_text(member["name"])
		if member.get("verified", false):
			_members.add_text(" ✓")
		var status = member.get("state", {}).get("status")
		if typeof(status) == TYPE_STRING and not status.is_empty():
			_members.add_text(" ")
			_members.push_italics()
			_members.add_text(status.left(STATUS_CHARS))
			_members.pop()
		_members.newline()

func _show_typers(typers: Array) -> void:
	_typing.clear()
	if typers.is_empty():
		return
	var first: String = typers[0]["name"]
	if typers.size() == 1:
		_typing.add_text("%s is typing…" % first)
	elif typers.size() == 2:
		_typing.add_text("%s and %s are typing…" % [first, typers[1]["name"]])
	else:
		_typing.add_text("%s and %d others are typing…" % [first, typers.size() - 1])

func _set_status(text: String) -> void:
	var status := text.strip_edges()
	_chat.set_state({} if status.is_empty() else {"status": status})

func _submit() -> void:
	var text := _input.text.strip_edges()
	if text.is_empty():
		return
	# Sending ends the player's typing for everyone.
	_chat.send_chat(text)
	_input.clear()
