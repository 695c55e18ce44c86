# The addon's example chat panel (Godot 3 folder) as a game shows it, run headless by
# test/e2e/godot-quick-start.test.ts from a project that has the EdgeChat autoload:
#   godot3-server --no-window --path <project> -s res://panel_client.gd --url=… --room=… --name=… --until=…
# Prints "TYPING <the typing line's text>" each time it changes (on EdgeChat's typing_changed). Once the panel's log shows --until, prints
# "LOG <the log's text, lines joined by ' | '>", "MEMBERS <the member list's text, likewise>" and "HERE <the header's
# text>", and quits. Each text is what the label shows: BBCode the panel took as markup would be missing from it.
extends SceneTree

var _options = {}
var _panel

func _init():
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--") and arg.find("=") > 0:
			var pair = arg.substr(2).split("=", true, 1)
			_options[pair[0]] = pair[1]
	_panel = load("res://addons/edge_chat_godot3/example/chat_panel.tscn").instance()
	_panel.server_url = _options["url"]
	_panel.room = _options["room"]
	_panel.player_name = _options["name"]
	call_deferred("_start")

func _start():
	get_root().add_child(_panel)
	get_root().get_node("EdgeChat").connect("typing_changed", self, "_on_typing_changed")

# Godot 3 calls a signal's receivers in no set order: the panel's own may come after this one, so the line is
# drawn here by the panel's own code (drawing it twice changes nothing), then read.
func _on_typing_changed(typers):
	_panel._show_typers(typers)
	print("TYPING ", _shown("Typing"))

func _shown(path):
	return _panel.get_node(path).get_text().strip_edges().replace("\n", " | ")

func _idle(_delta):
	if _shown("Body/Log").find(_options["until"]) >= 0:
		print("LOG ", _shown("Body/Log"))
		print("MEMBERS ", _shown("Body/Members"))
		print("HERE ", _shown("Here"))
		get_root().get_node("EdgeChat").leave()
		quit(0)
