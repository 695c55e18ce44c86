# A chat panel for Godot 4 on top of the EdgeChat autoload: the log, a line to type in, and who is here. Text from
# other players goes into the log with add_text(), never append_text(): BBCode in a message or a name stays text, so
# it cannot style, link or hide anything. Only the panel's own markup (the bold name) is markup.
extends VBoxContainer

@export var server_url := "ws://127.0.0.1:8787"
@export var room := "lobby"
@export var player_name := "Player"

# Found when the panel runs, not named in the script: the folder must parse before its plugin adds the autoload.
@onready var _chat = get_node("/root/EdgeChat")
@onready var _log: RichTextLabel = $Log
@onready var _input: LineEdit = $Input/Text
@onready var _send: Button = $Input/Send

func _ready() -> void:
	_chat.connected.connect(func(me): _notice("You joined #%s as %s." % [room, me["name"]]))
	_chat.reconnecting.connect(func(delay, _attempt): _notice("Reconnecting in %.1f s…" % delay))
	_chat.disconnected.connect(func(_code, reason): _notice("Disconnected: %s" % reason))
	_chat.chat.connect(_on_chat)
	_chat.member_joined.connect(func(member): _notice("%s joined." % member["name"]))
	_chat.member_left.connect(func(member): _notice("%s left." % member["name"]))
	_chat.message_deleted.connect(func(seq): _notice("A moderator deleted message #%d." % seq))
	_chat.error.connect(func(_code, message, _retry): _notice(message))
	_send.pressed.connect(_submit)
	_input.text_submitted.connect(func(_text): _submit())
	_chat.connect_to_room(server_url, room, player_name)

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

func _submit() -> void:
	var text := _input.text.strip_edges()
	if text.is_empty():
		return
	_chat.send_chat(text)
	_input.clear()
