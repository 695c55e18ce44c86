# A game using the EdgeChat addon (its Godot 3 adapter) whose messages change, run headless by
# test/e2e/godot-changes.test.ts from a scratch project that holds a copy of addons/edge_chat_godot3:
#   godot3-server --no-window --path <project> -s res://changes_client.gd --url=… --room=… --name=…
# Prints each signal as a line: "CHAT <seq> <name>: <text>", "CHANGED <seq> <change> <message as JSON>", "DELETED
# <seq>", "REFUSED <request_type> <code>", "CONNECTED <id> <name>", … Once connected it says "mine 1" and "mine 2".
# When another member says "your turn", it changes messages by the texts they were first sent with: it edits
# "mine 1", reacts to it and to "three", deletes "mine 2", and tries to edit "one", which is not its own. When another
# member says "bye", it prints which reactions are its own ("OWN <reaction> <seq> <true|false>"), then its model,
# messages() in seq order ("MODEL <JSON, keys sorted>"), and quits.
extends SceneTree

var _options = {}
var _chat
var _said = false
var _done = false
# The seq of each message by the text it was first sent with.
var _seq_of = {}

func _init():
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--") and arg.find("=") > 0:
			var pair = arg.substr(2).split("=", true, 1)
			_options[pair[0]] = pair[1]
	_chat = load("res://addons/edge_chat_godot3/edge_chat_godot3.gd").new()
	for signal_name in ["connected", "disconnected", "reconnecting", "chat", "message_changed", "message_deleted",
			"refused", "error"]:
		_chat.connect(signal_name, self, "_on_" + signal_name)
	call_deferred("_start")

func _start():
	get_root().add_child(_chat)
	_chat.connect_to_room(_options["url"], _options["room"], _options["name"])

func _on_connected(me):
	print("CONNECTED ", me["id"], " ", me["name"])
	if not _said:
		_said = true
		_chat.send_chat("mine 1")
		_chat.send_chat("mine 2")

func _on_disconnected(code, reason):
	print("DISCONNECTED ", code, " ", reason)
	if not _done:
		quit(3)

func _on_reconnecting(delay, attempt):
	print("RECONNECTING ", delay, " ", attempt)

func _on_error(code, message, retry_after_ms):
	print("ERROR ", code, " ", message, " ", retry_after_ms)

func _on_refused(request_type, code, message):
	print("REFUSED ", request_type, " ", code, " ", message)

func _on_message_deleted(seq):
	print("DELETED ", seq)

func _on_message_changed(message, change):
	print("CHANGED ", message["seq"], " ", change, " ", JSON.print(message, "", true))

func _on_chat(message):
	print("CHAT ", message["seq"], " ", message["sender"]["name"], ": ", message["text"])
	_seq_of[message["text"]] = message["seq"]
	if message["sender"]["name"] == _options["name"]:
		return
	if message["text"] == "your turn":
		_chat.edit(_seq_of["mine 1"], "mine 1, edited")
		_chat.react(_seq_of["mine 1"], "🎮")
		_chat.react(_seq_of["three"], ":gg:")
		_chat.delete_message(_seq_of["mine 2"])
		_chat.edit(_seq_of["one"], "not yours")
	elif message["text"] == "bye":
		for reaction in ["🎮", ":gg:"]:
			for text in ["mine 1", "three"]:
				print("OWN ", reaction, " ", text, " ", _chat.reacted_by_me(_seq_of[text], reaction))
		var model = _chat.messages()
		var seqs = model.keys()
		seqs.sort()
		var ordered = []
		for seq in seqs:
			ordered.append(model[seq])
		print("MODEL ", JSON.print(ordered, "", true))
		_done = true
		_chat.leave()
		quit(0)
