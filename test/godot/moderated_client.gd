# A game using the EdgeChat addon (its Godot 3 adapter) in a room a moderator runs, run headless by
# test/e2e/godot-moderation.test.ts from a scratch project that holds a copy of addons/edge_chat_godot3:
#   godot3-server --no-window --path <project> -s res://moderated_client.gd --url=… --room=…
# It joins as "godot" and does what a player would as the room's rules change, each step on what the addon tells it:
# connected, it says "one" and at once "two" (slow mode refuses the second); told slow mode is off, it says a word
# the room blocks; told it is muted, it says "hush" (refused) and tries typing (nothing goes); told it may speak
# again, it says "bye", and quits once its echo comes. Prints each signal as a line: "SETTINGS <json>",
# "MUTE <muted> <until> <reason>", "ERROR <code> <retry_after_ms>", "REFUSED <request type> <code>", "CHAT <seq>
# <system or member> <name>: <text>", "DISCONNECTED <code> <reason>".
extends SceneTree

var _options = {}
var _chat
var _errors = []

func _init():
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--") and arg.find("=") > 0:
			var pair = arg.substr(2).split("=", true, 1)
			_options[pair[0]] = pair[1]
	_chat = load("res://addons/edge_chat_godot3/edge_chat_godot3.gd").new()
	for signal_name in ["connected", "disconnected", "chat", "error", "refused", "settings_changed", "mute_changed"]:
		_chat.connect(signal_name, self, "_on_" + signal_name)
	call_deferred("_start")

func _start():
	get_root().add_child(_chat)
	_chat.connect_to_room(_options["url"], _options["room"], "godot")

func _on_connected(_me):
	_chat.send_chat("one")
	_chat.send_chat("two")

func _on_settings_changed(settings):
	print("SETTINGS ", to_json(settings))
	if settings["slowModeSeconds"] == 0 and _errors.has("slow_mode"):
		_chat.send_chat("a frobnicate word")

func _on_mute_changed(muted, until, reason):
	print("MUTE %s %d %s" % [muted, until, reason])
	if muted and not _errors.has("muted"):
		_chat.send_chat("hush")
		_chat.typing()
	else:
		_chat.send_chat("bye")

func _on_error(code, _message, retry_after_ms):
	_errors.append(code)
	print("ERROR %s %d" % [code, retry_after_ms])

func _on_refused(request_type, code, _message):
	print("REFUSED %s %s" % [request_type, code])

func _on_chat(message):
	var sender = message["sender"]
	print("CHAT %d %s %s: %s" % [message["seq"], "system" if sender.get("system", false) else "member", sender["name"], message["text"]])
	if not sender.get("system", false) and sender["name"] == "godot" and message["text"] == "bye":
		_chat.leave()
		quit(0)

func _on_disconnected(code, reason):
	print("DISCONNECTED %d %s" % [code, reason])
