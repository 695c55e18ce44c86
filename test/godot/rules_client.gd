# The addon's example chat panel (Godot 3 folder) under the room's rules (issue 25), against a room played by this
# script: a WebSocketServer of Godot's own on 127.0.0.1, which answers the join with a welcome in slow mode and then
# sends, step by step, what a room would: a message the game's backend posted (its sender the system, named as a
# member is) and a member's, the echo of the player's chat, refusals (slow_mode, muted, blocked_word), a timed mute
# and its end, answers to a moderator's calls, a change of settings. Run headless by test/unit/godot-rules.test.ts
# from a project that has the EdgeChat autoload:
#   godot3-server --no-window --path <project> -s res://rules_client.gd --port=<free port>
# Prints "SHOWN <step>: <what the rules line says> | editable=<the input's> | input=<its text>" after each step,
# "SIGNAL <name> <args as JSON>" for the addon's new signals, "RECEIVED <frame>" for each frame the room got but
# pings, "LOG <the log's lines joined by ' | '>" at the end, and quits (1 if the script timed out).
extends SceneTree

const STEP_MS = 300

var _server = WebSocketServer.new()
var _peer = -1
var _panel
var _chat
var _step = 0
var _next_at = 0
var _cids = []
var _seq = 2

func _init():
	var port = 0
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--port="):
			port = int(arg.substr("--port=".length()))
	_server.connect("client_connected", self, "_on_client")
	_server.connect("data_received", self, "_on_data")
	_server.listen(port)
	_panel = load("res://addons/edge_chat_godot3/example/chat_panel.tscn").instance()
	_panel.server_url = "ws://127.0.0.1:%d" % port
	_panel.room = "rules"
	_panel.player_name = "me"
	call_deferred("_start")

func _start():
	get_root().add_child(_panel)
	_chat = get_root().get_node("EdgeChat")
	for name in ["settings_changed", "mute_changed", "moderated", "refused"]:
		_chat.connect(name, self, "_on_signal", [name])

func _on_signal(a, b = null, c = null, d = null):
	# The signal's own arguments, then its name (bound last).
	var args = [a, b, c, d]
	var name = ""
	for i in range(args.size() - 1, -1, -1):
		if typeof(args[i]) == TYPE_STRING and args[i] in ["settings_changed", "mute_changed", "moderated", "refused"]:
			name = args[i]
			args.resize(i)
			break
	print("SIGNAL ", name, " ", to_json(args))

func _on_client(id, _protocol):
	_peer = id
	_server.get_peer(id).set_write_mode(WebSocketPeer.WRITE_MODE_TEXT)

func _on_data(id):
	var text = _server.get_peer(id).get_packet().get_string_from_utf8()
	if text == "ping":
		return
	print("RECEIVED ", text)
	var packet = JSON.parse(text).result
	match packet["type"]:
		"join":
			_send({"type": "welcome", "id": 1, "name": "me", "members": [{"id": 1, "name": "me"}, {"id": 2, "name": "[i]ann[/i]"}],
				"memberCount": 2, "history": [], "more": false, "lastSeq": 0, "resumeKey": "k1",
				"limits": {"rateLimitBurst": 10, "rateLimitPerSecond": 5}, "settings": {"slowModeSeconds": 10, "listed": true, "title": "Lobby"}})
			_next_at = OS.get_ticks_msec() + STEP_MS
		"chat":
			_cids.append(packet["cid"])

func _send(packet):
	_server.get_peer(_peer).put_packet(to_json(packet).to_utf8())

func _epoch_ms():
	return OS.get_system_time_msecs()

func _shown(label):
	return _panel.get_node(label).get_text().strip_edges().replace("\n", " | ")

func _show(what):
	var input = _panel.get_node("Input/Text")
	print("SHOWN %s: %s | editable=%s | input=%s" % [what, _shown("Rules"), input.editable, input.text])

func _type_and_send(text):
	var input = _panel.get_node("Input/Text")
	input.clear()
	input.append_at_cursor(text)
	_panel._submit()

func _idle(_delta):
	_server.poll()
	if OS.get_ticks_msec() > 20000:
		print("TIMED OUT at step ", _step)
		quit(1)
		return
	if _next_at == 0 or OS.get_ticks_msec() < _next_at:
		return
	_next_at = OS.get_ticks_msec() + STEP_MS
	_step += 1
	match _step:
		1:
			_show("welcomed")
			_send({"type": "chat", "seq": 1, "ts": 1, "sender": {"id": 0, "name": "[i]ann[/i]", "system": true}, "text": "[b]ann[/b] won the match"})
			_send({"type": "chat", "seq": 2, "ts": 2, "sender": {"id": 2, "name": "[i]ann[/i]"}, "text": "gg"})
			_type_and_send("first")
		2:
			# The room's echo of the player's chat: slow mode counts from here.
			_seq += 1
			_send({"type": "chat", "seq": _seq, "ts": 3, "sender": {"id": 1, "name": "me"}, "text": "first", "cid": _cids[0]})
		3:
			_show("chatted")
			_type_and_send("second")
		4:
			_send({"type": "error", "code": "slow_mode", "message": "slow mode is on: wait 20 s", "retryAfterMs": 20000, "for": "chat", "cid": _cids[1]})
		5:
			_show("slow_mode")
			_send({"type": "mute_status", "muted": true, "until": _epoch_ms() + 1500, "reason": "[b]spam[/b]"})
		6:
			_show("muted")
			# Muted: the panel sends nothing.
			_panel._submit()
		7:
			_next_at = OS.get_ticks_msec() + 1500
		8:
			_show("mute over")
			_send({"type": "settings", "settings": {"slowModeSeconds": 0, "listed": true, "title": "Lobby"}})
		9:
			_show("slow mode off")
			_type_and_send("a bad word")
		10:
			_send({"type": "error", "code": "blocked_word", "message": "that is not allowed here", "for": "chat", "cid": _cids[2]})
		11:
			_show("blocked")
			_chat.mute(2, 10, "flood")
			_chat.unmute("address:ab12")
			_chat.set_settings({"slowModeSeconds": 5})
		12:
			_send({"type": "muted", "id": 2, "name": "[i]ann[/i]", "user": "address:ab12", "until": 1900000000000})
			_send({"type": "error", "code": "muted", "message": "you are muted", "for": "state"})
		13:
			_show("muted by a refusal")
			print("LOG ", _shown("Body/Log"))
			_chat.leave()
			quit(0)
