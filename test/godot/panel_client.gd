# The addon's example chat panel (Godot 3 folder) as a game shows it, run headless by
# test/e2e/godot-quick-start.test.ts from a project that has the EdgeChat autoload:
#   godot3-server --no-window --path <project> -s res://panel_client.gd --url=… --room=… --name=… --until=…
# Once the panel's log shows --until, prints "LOG <the log's text, lines joined by ' | '>" and quits. The log's text
# is what it shows: BBCode the panel took as markup would be missing from it.
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

func _idle(_delta):
	var shown = _panel.get_node("Body/Log").get_text()
	if shown.find(_options["until"]) >= 0:
		print("LOG ", shown.strip_edges().replace("\n", " | "))
		get_root().get_node("EdgeChat").leave()
		quit(0)
