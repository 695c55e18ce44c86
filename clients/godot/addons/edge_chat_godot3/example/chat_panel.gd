# A chat panel for Godot 3 on top of the EdgeChat autoload: the log, a line to type in, and who is here. Text from
# other players goes into the log with add_text(), never append_bbcode(): BBCode in a message or a name stays text,
# so it cannot style, link or hide anything. Only the panel's own markup (the bold name) is markup.
extends VBoxContainer

export var server_url = "ws://127.0.0.1:8787"
export var room = "lobby"
export var player_name = "Player"

# Found when the panel runs, not named in the script: the folder must parse before its plugin adds the autoload.
onready var _chat = get_node("/root/EdgeChat")
onready var _log = $Log
onready var _input = $Input/Text
onready var _send = $Input/Send

func _ready():
	_chat.connect("connected", self, "_on_connected")
	_chat.connect("reconnecting", self, "_on_reconnecting")
	_chat.connect("disconnected", self, "_on_disconnected")
	_chat.connect("chat", self, "_on_chat")
	_chat.connect("member_joined", self, "_on_member_joined")
	_chat.connect("member_left", self, "_on_member_left")
	_chat.connect("message_deleted", self, "_on_message_deleted")
	_chat.connect("error", self, "_on_error")
	_send.connect("pressed", self, "_submit")
	_input.connect("text_entered", self, "_on_text_entered")
	_chat.connect_to_room(server_url, room, player_name)

func _on_connected(me):
	_notice("You joined #%s as %s." % [room, me["name"]])

func _on_reconnecting(delay, _attempt):
	_notice("Reconnecting in %.1f s…" % delay)

func _on_disconnected(_code, reason):
	_notice("Disconnected: %s" % reason)

func _on_member_joined(member):
	_notice("%s joined." % member["name"])

func _on_member_left(member):
	_notice("%s left." % member["name"])

func _on_message_deleted(seq):
	_notice("A moderator deleted message #%d." % seq)

func _on_error(_code, message, _retry_after_ms):
	_notice(message)

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

func _on_text_entered(_text):
	_submit()

func _submit():
	var text = _input.text.strip_edges()
	if text.empty():
		return
	_chat.send_chat(text)
	_input.clear()
