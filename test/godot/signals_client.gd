# Two games using the EdgeChat addon (its Godot 3 adapter), "ann" and "bo", each with its own socket, in one room of
# `wrangler dev`: live signals (issue 24), run headless by test/e2e/godot-signals.test.ts from a scratch project that
# holds a copy of addons/edge_chat_godot3:
#   godot3-server --no-window --path <project> -s res://signals_client.gd --url=… --room=… --token=…
# bo sets its status before it connects (its join carries it), then ann joins, and goes through these phases, each
# started by what bo sees (ann acts, bo watches):
#   typing     ann sets {"status": "in a match"} and types          bo sees ann typing and ann's new state
#   stopped    ann clears its input (stop_typing)                   bo sees nobody typing
#   again      ann types again at once                              bo sees ann typing
#   chat       ann sends a chat                                     bo sees the chat, and nobody typing
#   quiet      ann types once, then nothing                         bo sees ann typing, then nobody, by itself
#   hammer     ann calls typing() every frame for HAMMER_MS         (the room hears one start: the test counts)
#   big-state  a third game, "dee", joins with a status too big for the room: refused, told, and joined without it
#   vouched    a fourth, "eve", joins with --token (its state claim sets "team"), tries to change its team (refused,
#              told), then sets a status                            bo sees eve's status beside the team it cannot change
# Prints a line per thing seen: "BO TYPERS <ms> <names>" (typing_changed; <ms> since the start), "BO STATE <name>
# <state as JSON>" (member_state_changed), "BO CHAT <name>: <text>", "ANN SEES <name> <state as JSON>" (ann's
# members() once connected), "BO MEMBERS <JSON>" and "BO TYPERS() <names>" (bo's members() and typers() once it saw
# ann type with its new state), "ANN COUNT <n>" and "BO COUNT <n>" (member_count()), "PHASE <name>", and "DONE" once
# both left. Quits 0 when done; 4 if a phase did not end within TIMEOUT_MS, 3 on an unexpected disconnect.
extends SceneTree

const HAMMER_MS = 2500
const TIMEOUT_MS = 20000

var _options = {}
var _ann
var _bo
var _dee
var _eve
var _phase = ""
var _phase_at = 0
var _started_at = 0
var _bo_saw_state = false
var _bo_saw_chat = false
var _done = false

func _init():
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--") and arg.find("=") > 0:
			var pair = arg.substr(2).split("=", true, 1)
			_options[pair[0]] = pair[1]
	var adapter = load("res://addons/edge_chat_godot3/edge_chat_godot3.gd")
	_ann = adapter.new()
	_bo = adapter.new()
	_dee = adapter.new()
	_eve = adapter.new()
	var games = {"ann": _ann, "bo": _bo, "dee": _dee, "eve": _eve}
	for who in games:
		for signal_name in ["connected", "disconnected", "typing_changed", "member_state_changed", "chat", "error", "refused"]:
			games[who].connect(signal_name, self, "_on_" + signal_name, [who])
	call_deferred("_start")

func _start():
	_started_at = OS.get_ticks_msec()
	get_root().add_child(_ann)
	get_root().add_child(_bo)
	get_root().add_child(_dee)
	get_root().add_child(_eve)
	# Set before connecting: the join carries it.
	_bo.set_state({"status": "[b]away[/b]"})
	_bo.connect_to_room(_options["url"], _options["room"], "bo")
	_to("bo-joins")

func _to(phase):
	_phase = phase
	_phase_at = OS.get_ticks_msec()
	print("PHASE ", phase)

func _names(members):
	var names = []
	for member in members:
		names.append(member["name"])
	return PoolStringArray(names).join(",")

func _on_connected(me, who):
	print(who.to_upper(), " CONNECTED ", me["name"])
	if who == "bo" and _phase == "bo-joins":
		_to("ann-joins")
		_ann.connect_to_room(_options["url"], _options["room"], "ann")
	elif who == "dee" and _phase == "big-state":
		print("DEE STATE ", JSON.print(_dee.members()[_dee.members().size() - 1].get("state", {}), "", true))
		_to("vouched")
		_eve.connect_to_room(_options["url"], _options["room"], "eve", _options["token"])
	elif who == "eve" and _phase == "vouched":
		_eve.set_state({"team": "blue"})
	elif who == "ann" and _phase == "ann-joins":
		for member in _ann.members():
			print("ANN SEES ", member["name"], " ", JSON.print(member.get("state", {}), "", true))
		print("ANN COUNT ", _ann.member_count())
		_to("typing")
		_ann.set_state({"status": "in a match"})
		_ann.typing()

func _on_disconnected(code, reason, who):
	print(who.to_upper(), " DISCONNECTED ", code, " ", reason)
	if not _done:
		quit(3)

func _on_error(code, message, retry_after_ms, who):
	print(who.to_upper(), " ERROR ", code, " ", message, " ", retry_after_ms)

func _on_refused(request_type, code, _message, who):
	print(who.to_upper(), " REFUSED ", request_type, " ", code)
	if who == "eve" and _phase == "vouched":
		_eve.set_state({"status": "ready"})

func _on_member_state_changed(member, who):
	if who != "bo":
		return
	print("BO STATE ", member["name"], " ", JSON.print(member.get("state", {}), "", true))
	if member["name"] == "eve" and _phase == "vouched":
		print("BO SEES ", JSON.print(member, "", true))
		_finish()
	if member["name"] == "ann" and member.get("state", {}).get("status") == "in a match":
		_bo_saw_state = true
		_typing_seen()

func _on_chat(message, who):
	if who != "bo":
		return
	print("BO CHAT ", message["sender"]["name"], ": ", message["text"])
	_bo_saw_chat = true
	_typing_seen()

func _on_typing_changed(typers, who):
	if who != "bo":
		return
	print("BO TYPERS ", OS.get_ticks_msec() - _started_at, " ", _names(typers))
	_typing_seen()

# What bo sees moves ann on to the next phase.
func _typing_seen():
	var typers = _names(_bo.typers())
	match _phase:
		"typing":
			if typers == "ann" and _bo_saw_state:
				print("BO MEMBERS ", JSON.print(_bo.members(), "", true))
				print("BO TYPERS() ", typers)
				print("BO COUNT ", _bo.member_count())
				_to("stopped")
				_ann.stop_typing()
		"stopped":
			if typers == "":
				_to("again")
				_ann.typing()
		"again":
			if typers == "ann":
				_to("chat")
				_ann.send_chat("done typing")
		"chat":
			if typers == "" and _bo_saw_chat:
				_to("quiet")
				_ann.typing()
		"quiet":
			if typers == "" and OS.get_ticks_msec() - _phase_at > 1000:
				_to("hammer")

func _finish():
	_done = true
	print("PHASE done")
	_ann.leave()
	_bo.leave()
	_dee.leave()
	_eve.leave()
	print("DONE")
	quit(0)

func _idle(_delta):
	var now = OS.get_ticks_msec()
	if _phase == "hammer":
		if now - _phase_at < HAMMER_MS:
			_ann.typing()
		else:
			_to("big-state")
			var status = ""
			for _i in range(600):
				status += "x"
			_dee.set_state({"status": status})
			_dee.connect_to_room(_options["url"], _options["room"], "dee")
	elif not _done and now - _phase_at > TIMEOUT_MS:
		print("TIMEOUT in phase ", _phase)
		_done = true
		quit(4)
