# A game using the EdgeChat addon (its Godot 3 adapter), run headless by test/e2e/godot-addon.test.ts from a scratch
# project that holds a copy of addons/edge_chat_godot3:
#   godot3-server --no-window --path <project> -s res://addon_client.gd --url=… --room=… --name=… --say=… --until=…
# Prints each signal as a line ("CHAT <seq> <name>: <text>", "RECONNECTING <delay> <attempt>", …), says --say once
# connected, shows every chat in a RichTextLabel with BBCode on the way the example does (add_text), and quits once
# a chat containing --until arrives, printing what the label shows. With --token it joins with that token; with
# --tokens (comma-separated) it listens to token_needed and answers each with the next, a frame later, as a game
# that asks its backend would. With --burst=N it asks for older history once connected, and at once sends N chats,
# "<say> 1" to "<say> N", where it would say --say once: a history answer is charged to its rate limit. Without --say
# it says nothing. It prints how the room tells its presence ("PRESENCE <mode> <count> <presence()> <member_count()>
# <names in members()>" at each presence_changed), and with --load a chat containing that text makes it page the room's
# whole member list with load_members(), as a game's "show everyone" would: "MEMBERS_PAGE <names> <more>" for each page,
# asking for the next while `more`. At its end it prints "MEMBERS <names in members()>".
extends SceneTree

var _options = {}
var _chat
var _label = RichTextLabel.new()
var _said = false
var _done = false
var _tokens = []

func _init():
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--") and arg.find("=") > 0:
			var pair = arg.substr(2).split("=", true, 1)
			_options[pair[0]] = pair[1]
	_label.bbcode_enabled = true
	_chat = load("res://addons/edge_chat_godot3/edge_chat_godot3.gd").new()
	for signal_name in ["connected", "disconnected", "reconnecting", "chat", "member_joined", "member_left", "error", "presence_changed", "members_page"]:
		_chat.connect(signal_name, self, "_on_" + signal_name)
	if _options.has("tokens"):
		_tokens = Array(_options["tokens"].split(","))
		_chat.connect("token_needed", self, "_on_token_needed")
	call_deferred("_start")

func _start():
	get_root().add_child(_chat)
	_chat.connect_to_room(_options["url"], _options["room"], _options["name"], _options.get("token", ""))

func _on_token_needed():
	print("TOKEN_NEEDED ", _tokens.size())
	if not _tokens.empty():
		call_deferred("_give_token", _tokens.pop_front())

func _give_token(token):
	_chat.set_token(token)

func _on_connected(me):
	print("CONNECTED ", me["id"], " ", me["name"])
	if not _said and _options.has("say"):
		_said = true
		if _options.has("burst"):
			_chat.load_older()
			for i in range(int(_options["burst"])):
				_chat.send_chat("%s %d" % [_options["say"], i + 1])
		else:
			_chat.send_chat(_options["say"])

func _on_disconnected(code, reason):
	print("DISCONNECTED ", code, " ", reason)
	# After leave() it is expected, and may come before the quit: it must not turn a pass into a failure.
	if not _done:
		quit(3)

func _on_reconnecting(delay, attempt):
	print("RECONNECTING ", delay, " ", attempt)

func _on_member_joined(member):
	print("JOINED ", member["name"])

func _on_member_left(member):
	print("LEFT ", member["name"])

func _on_error(code, message, retry_after_ms):
	print("ERROR ", code, " ", message, " ", retry_after_ms)

func _on_presence_changed(mode, count):
	print("PRESENCE ", mode, " ", count, " ", _chat.presence(), " ", _chat.member_count(), " ", _names(_chat.members()))

func _on_members_page(members, more):
	print("MEMBERS_PAGE ", _names(members), " ", more)
	if more:
		_chat.load_members()

func _names(members):
	var names = []
	for member in members:
		names.append(member["name"])
	return PoolStringArray(names).join(",")

func _on_chat(message):
	print("CHAT ", message["seq"], " ", message["sender"]["name"], ": ", message["text"])
	_label.add_text(message["text"])
	_label.newline()
	if _options.has("load") and message["text"].find(_options["load"]) >= 0:
		_chat.load_members()
	if message["text"].find(_options["until"]) >= 0:
		print("RENDERED ", _label.get_text().replace("\n", " | "))
		print("MEMBERS ", _names(_chat.members()))
		_done = true
		_chat.leave()
		print("DONE")
		quit(0)
