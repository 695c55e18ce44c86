# The shared spec's runner for the Godot addon: every scenario of clients/spec/scenarios.json, step by step, against
# chat_logic.gd, in headless Godot 3 (test/unit/godot-spec.test.ts starts it):
#   godot3-server --no-window -s spec_runner.gd --logic=/abs/chat_logic.gd --spec=/abs/clients/spec
# It stands in for the adapter (edge_chat_godot3.gd): a socket that connects at once, the drain loop, the reconnect
# timer, and a game that answers token_needed at once. Prints "FAIL <scenario>: <what>" for each failed check, and
# "PASSED <n>" or "FAILED <n>"; exits 0 only if all passed. test/unit/client/spec.test.ts runs the same file.
extends SceneTree

var Logic
var spec
var _checks = 0
var _failures = 0

# One scenario's run.
var _name = ""
var _logic = null
var _random = 0.5
var _now = 1000000
var _connected = false
var _send_at = -1
var _reconnect_at = -1
var _last_reconnect = 0
var _cids = []
var _frames = []
var _delivered = []
var _errors = []
var _changed = []
var _reconnect_in = null
# The state set before the client opened, which its first join carries (null: none).
var _state = null
# The ids of the typers the client last told the app of (typing_changed).
var _told_typers = []
# The mute the client last told the app of (mute_changed: {"until", "reason"}, each null when absent; null: none), and
# the settings (settings_changed; null: none told).
var _told_muted = null
var _told_settings = null
# The presence mode the client last told the app of (presence_changed; null: none), and the member pages it told
# (members_page: {"members": ids, "more"}).
var _told_presence = null
var _members_pages = []

func _init():
	var logic_path = ""
	var spec_dir = ""
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--logic="):
			logic_path = arg.substr("--logic=".length())
		elif arg.begins_with("--spec="):
			spec_dir = arg.substr("--spec=".length())
	Logic = load(logic_path)
	spec = _read_json(spec_dir + "/scenarios.json")
	check_constants(_read_json(spec_dir + "/constants.json"))
	check_coverage()
	for scenario in spec["scenarios"]:
		if scenario.get("unsupported", {}).has("godot"):
			print("SKIP %s: %s" % [scenario["name"], scenario["unsupported"]["godot"]])
			continue
		run(scenario)
		print("RAN %s" % scenario["name"])
	print("%s %d" % ["PASSED" if _failures == 0 else "FAILED", _checks])
	quit(0 if _failures == 0 else 1)

func _read_json(path):
	var file = File.new()
	file.open(path, File.READ)
	var parsed = JSON.parse(file.get_as_text())
	file.close()
	return parsed.result

func check(what, ok, detail = ""):
	_checks += 1
	if not ok:
		_failures += 1
		print("FAIL %s: %s %s" % [_name, what, detail])

# The addon's numbers and close codes are those of constants.json (both are written from the TypeScript, by
# tools/client-constants.ts), and the logic runs with them.
func check_constants(constants):
	_name = "constants"
	var c = Logic.Constants
	var logic = Logic.new("me")
	check("backoff", c.BACKOFF_BASE_MS == constants["backoff"]["baseMs"] and c.BACKOFF_MAX_MS == constants["backoff"]["maxMs"]
		and c.BACKOFF_MAX_ATTEMPTS == constants["backoff"]["maxAttempts"])
	check("ping interval and answer timeout", c.PING_INTERVAL_MS == constants["pingIntervalMs"] and c.ANSWER_TIMEOUT_MS == constants["answerTimeoutMs"])
	check("pacing", c.BURST_MARGIN == constants["burstMargin"] and c.REFUSAL_CHECK_MS == constants["refusalCheckMs"])
	check("the frame size Godot 3 takes", c.GODOT_MAX_FRAME_BYTES == constants["godotMaxFrameBytes"] and logic.max_frame_bytes == constants["godotMaxFrameBytes"])
	check("cids", c.CID_ALPHABET == constants["cid"]["alphabet"] and logic._queue._new_cid().length() == constants["cid"]["length"])
	check("the same close codes", c.CLOSE_CODES.size() == constants["closeCodes"].size())
	for code in constants["closeCodes"]:
		var entry = c.CLOSE_CODES.get(int(code), {})
		var wanted = constants["closeCodes"][code]
		check("close code " + code, entry.get("name") == wanted["name"] and entry.get("reconnect") == wanted["reconnect"])

# Every rule has a scenario that this client runs, or says why it cannot.
func check_coverage():
	_name = "coverage"
	for rule in spec["rules"]:
		var covered = false
		for scenario in spec["scenarios"]:
			if scenario["rules"].has(rule):
				covered = true
		check("rule %s has a scenario" % rule, covered)

# -------------------------------------------------------------------------------------------------------------------

func run(scenario):
	_name = scenario["name"]
	_logic = null
	_random = scenario.get("random", spec["defaults"]["random"])
	_now = 1000000
	_connected = false
	_send_at = -1
	_reconnect_at = -1
	_last_reconnect = 0
	_cids = []
	_frames = []
	_delivered = []
	_errors = []
	_changed = []
	_reconnect_in = null
	_state = null
	_told_typers = []
	_told_muted = null
	_told_settings = null
	_told_presence = null
	_members_pages = []
	var client = scenario.get("client", {})
	for step in scenario["steps"]:
		do_step(step, client)

func do_step(step, client):
	if step.has("do") and step["do"] == "open":
		_logic = Logic.new("me")
		if client.has("maxFrameBytes"):
			_logic.max_frame_bytes = int(client["maxFrameBytes"])
		_logic.refreshes_token = client.get("tokens", false)
		if _state != null:
			_emit(_logic.set_state(_state))
		_open_socket()
	elif step.has("do") and step["do"] == "loadOlder":
		_logic.load_older()
	elif step.has("do") and step["do"] in ["loadMembers", "loadMembersFromStart"]:
		_logic.load_members(step["do"] == "loadMembersFromStart")
	elif step.has("do") and step["do"] == "leave":
		# The adapter closes its socket: the close step that follows is its close.
		_logic.leave()
	elif step.has("in"):
		# The adapter answers pong itself: chat_logic.gd never sees one.
		if typeof(step["in"]) == TYPE_DICTIONARY:
			var packet = expand(step["in"])
			_emit(_logic.on_packet(packet, _now, to_json(packet).to_utf8().size()))
	elif step.has("close"):
		if _connected:
			_connected = false
			_send_at = -1
			_emit(_logic.on_closed(int(step["close"]), "", _random))
	elif step.has("wait"):
		_wait(_last_reconnect if typeof(step["wait"]) == TYPE_STRING else int(step["wait"]))
	elif step.has("send"):
		if typeof(step["send"]) == TYPE_DICTIONARY:
			var options = step["send"].duplicate(true)
			options.erase("text")
			_emit(_logic.send_chat(step["send"]["text"], options))
		else:
			var texts = step["send"] if typeof(step["send"]) == TYPE_ARRAY else [step["send"]]
			for text in texts:
				_emit(_logic.send_chat(text))
	elif step.has("edit"):
		_emit(_logic.edit(int(step["edit"][0]), step["edit"][1]))
	elif step.has("delete"):
		_emit(_logic.delete_message(int(step["delete"])))
	elif step.has("react"):
		_emit(_logic.react(int(step["react"][0]), step["react"][1]))
	elif step.has("unreact"):
		_emit(_logic.unreact(int(step["unreact"][0]), step["unreact"][1]))
	elif step.has("rename"):
		_logic.rename(step["rename"])
	elif step.has("typing"):
		_emit(_logic.typing(_now) if step["typing"] else _logic.stop_typing(_now))
	elif step.has("setState"):
		# Before the client opens, the app's state waits for it (the adapter keeps it for connect_to_room()).
		if _logic == null:
			_state = step["setState"]
		else:
			_emit(_logic.set_state(step["setState"]))
	elif step.has("setSettings"):
		_emit(_logic.set_settings(step["setSettings"]))
	elif step.has("mute"):
		var mute = step["mute"]
		_emit(_logic.mute(int(mute["id"]), int(mute.get("minutes", 0)), mute.get("reason", "")))
	elif step.has("unmute"):
		_emit(_logic.unmute(step["unmute"]))
	elif step.has("repeat"):
		for _i in range(int(step["repeat"])):
			for inner in step["steps"]:
				do_step(inner, client)
	elif step.has("expect"):
		expect(step["expect"])
		return
	_drain()

func _open_socket():
	_connected = true
	_frames.append(_named(_logic.join_packet()))

# Time passes: the reconnect, the next send, and what the logic's own timer brings (a typer dropped, a state whose
# interval ended) happen when due, in order, as the adapter's _process does them.
func _wait(ms):
	var end = _now + ms
	while true:
		var due = -1
		if _send_at >= 0 and _send_at <= end:
			due = _send_at
		if _reconnect_at >= 0 and _reconnect_at <= end and (due < 0 or _reconnect_at < due):
			due = _reconnect_at
		# The logic's timer, once for each moment: one it could not act on (a state the rate limit holds back) has
		# its send timer set.
		var timer = -1 if _logic == null else _logic.next_timer()
		if timer > _now and timer <= end and (due < 0 or timer < due):
			due = timer
		if due < 0:
			break
		_now = due
		if due == _reconnect_at:
			_reconnect_at = -1
			_open_socket()
		if due == timer:
			_emit(_logic.tick(_now))
		_drain()
	_now = end

func _emit(events):
	for event in events:
		match event[0]:
			"reconnecting":
				_reconnect_in = int(round(event[1] * 1000))
				_last_reconnect = _reconnect_in
				_reconnect_at = _now + _reconnect_in
			"chat":
				_delivered.append(event[1]["seq"])
			"history":
				for message in event[1]:
					_delivered.append(message["seq"])
			"error":
				_errors.append({"code": event[1], "retryAfterMs": event[3]})
			"refused":
				# Follows the error it tells of: what it answered.
				_errors[_errors.size() - 1]["for"] = event[1]
			"message_changed":
				_changed.append([event[1]["seq"], event[2]])
			"_close_socket":
				_connected = false
				_send_at = -1
			"token_needed":
				# The game answers with a new token at once.
				_open_socket()
			"_send":
				# Sent now, paced already (typing): on the open socket only.
				if _connected:
					_frames.append(_named(event[1].duplicate(true)))
			"typing_changed":
				_told_typers = []
				for member in event[1]:
					_told_typers.append(member["id"])
			"mute_changed":
				_told_muted = null
				if event[1]:
					_told_muted = {"until": null if event[2] == 0 else event[2], "reason": null if event[3] == "" else event[3]}
			"settings_changed":
				_told_settings = event[1]
			"presence_changed":
				_told_presence = event[1]
			"members_page":
				var ids = []
				for member in event[1]:
					ids.append(member["id"])
				_members_pages.append({"members": ids, "more": event[2]})

# What the adapter does after every event: send what may go now, and come back when the rest may.
func _drain():
	_send_at = -1
	while _connected:
		var packet = _logic.next_packet(_now)
		if packet == null:
			return
		var wait = _logic.wait_before_sending(_now, to_json(packet).to_utf8().size())
		if wait > 0:
			_send_at = _now + wait
			return
		_frames.append(_named(packet.duplicate(true)))

# -------------------------------------------------------------------------------------------------------------------
# Checks

func expect(wanted):
	if wanted.has("out"):
		var ok = _frames.size() == wanted["out"].size()
		for i in range(min(_frames.size(), wanted["out"].size())):
			for key in wanted["out"][i]:
				# A field given as null is one the frame does not have.
				if typeof(wanted["out"][i][key]) == TYPE_NIL:
					ok = ok and not _frames[i].has(key)
				else:
					ok = ok and _frames[i].has(key) and _same(_frames[i][key], wanted["out"][i][key])
		check("out", ok, "%s, expected %s" % [to_json(_frames), to_json(wanted["out"])])
	if wanted.has("chats"):
		var texts = []
		for frame in _frames:
			if frame["type"] == "chat":
				texts.append(frame["text"])
		check("chats", _same(texts, wanted["chats"]), "%s, expected %s" % [to_json(texts), to_json(wanted["chats"])])
	if wanted.has("out") or wanted.has("chats"):
		_frames = []
	if wanted.has("pings"):
		check("pings", false, "are the adapter's: mark the scenario unsupported")
	if wanted.has("delivered"):
		_delivered.sort()
		check("delivered", _same(_delivered, wanted["delivered"]), "%s, expected %s" % [to_json(_delivered), to_json(wanted["delivered"])])
		_delivered = []
	if wanted.has("errors"):
		# A code alone checks the code only; an object its code, `for`, and `retryAfterMs` if it lists it (0: none).
		var errors = []
		for i in range(_errors.size()):
			var as_object = i < wanted["errors"].size() and typeof(wanted["errors"][i]) == TYPE_DICTIONARY
			var error = _errors[i].duplicate()
			if not as_object or not wanted["errors"][i].has("retryAfterMs"):
				error.erase("retryAfterMs")
			errors.append(error if as_object else error["code"])
		check("errors", _same(errors, wanted["errors"]), "%s, expected %s" % [to_json(errors), to_json(wanted["errors"])])
		_errors = []
	if wanted.has("changed"):
		check("changed", _same(_changed, wanted["changed"]), "%s, expected %s" % [to_json(_changed), to_json(wanted["changed"])])
		_changed = []
	if wanted.has("messages"):
		var held = _logic.messages()
		for key in wanted["messages"]:
			var fields = wanted["messages"][key]
			if fields == null:
				check("message " + key, not held.has(int(key)), "is held, expected not")
				continue
			var actual = {}
			if held.has(int(key)):
				# A field given as null is one the message does not have.
				for field in fields:
					actual[field] = held[int(key)].get(field)
			check("message " + key, held.has(int(key)) and _same(actual, fields), "%s, expected %s" % [to_json(actual), to_json(fields)])
	if wanted.has("reactedByMe"):
		var actual = []
		for entry in wanted["reactedByMe"]:
			actual.append([entry[0], entry[1], _logic.reacted_by_me(int(entry[0]), entry[1])])
		check("reactedByMe", _same(actual, wanted["reactedByMe"]), "%s, expected %s" % [to_json(actual), to_json(wanted["reactedByMe"])])
	if wanted.has("reconnectIn"):
		check("reconnectIn", _same(_reconnect_in, wanted["reconnectIn"]), "%s, expected %s" % [_reconnect_in, wanted["reconnectIn"]])
		_reconnect_in = null
	if wanted.has("stopped"):
		var reason = null if _logic.stop_reason == "" else _logic.stop_reason
		check("stopped", _same(reason, wanted["stopped"]), "%s, expected %s" % [reason, wanted["stopped"]])
	if wanted.has("members"):
		var ids = []
		for member in _logic.members():
			ids.append(member["id"])
		check("members", _same(ids, wanted["members"]), "%s, expected %s" % [to_json(ids), to_json(wanted["members"])])
	if wanted.has("typers"):
		var ids = []
		for member in _logic.typers():
			ids.append(member["id"])
		check("typers", _same(ids, wanted["typers"]), "%s, expected %s" % [to_json(ids), to_json(wanted["typers"])])
		check("typers told", _same(_told_typers, wanted["typers"]), "typing_changed said %s, expected %s" % [to_json(_told_typers), to_json(wanted["typers"])])
	if wanted.has("states"):
		var states = {}
		for member in _logic.members():
			states[str(member["id"])] = member.get("state")
		var actual = {}
		for key in wanted["states"]:
			actual[key] = states.get(key)
		check("states", _same(actual, wanted["states"]), "%s, expected %s" % [to_json(actual), to_json(wanted["states"])])
	if wanted.has("muted"):
		var muted = _logic.muted()
		var shown = null if muted == null else {"until": muted.get("until"), "reason": muted.get("reason")}
		check("muted", _same(shown, wanted["muted"]), "%s, expected %s" % [to_json(shown), to_json(wanted["muted"])])
		check("muted told", _same(_told_muted, wanted["muted"]), "mute_changed said %s, expected %s" % [to_json(_told_muted), to_json(wanted["muted"])])
	if wanted.has("settings"):
		check("settings", _same(_logic.settings(), wanted["settings"]), "%s, expected %s" % [to_json(_logic.settings()), to_json(wanted["settings"])])
		check("settings told", _same(_told_settings, wanted["settings"]), "settings_changed said %s, expected %s" % [to_json(_told_settings), to_json(wanted["settings"])])
	if wanted.has("presence"):
		check("presence", _same(_logic.presence(), wanted["presence"]), "%s, expected %s" % [_logic.presence(), wanted["presence"]])
		check("presence told", _same(_told_presence, wanted["presence"]), "presence_changed said %s, expected %s" % [_told_presence, wanted["presence"]])
	if wanted.has("membersPage"):
		check("membersPage", _same(_members_pages, wanted["membersPage"]), "%s, expected %s" % [to_json(_members_pages), to_json(wanted["membersPage"])])
		_members_pages = []
	if wanted.has("memberCount"):
		check("memberCount", _same(_logic.member_count(), wanted["memberCount"]), "%s, expected %s" % [_logic.member_count(), wanted["memberCount"]])

# Equal values; JSON's numbers are floats, the client's ints.
func _same(a, b):
	if typeof(a) in [TYPE_INT, TYPE_REAL] and typeof(b) in [TYPE_INT, TYPE_REAL]:
		return float(a) == float(b)
	if typeof(a) != typeof(b):
		return false
	if typeof(a) == TYPE_ARRAY:
		if a.size() != b.size():
			return false
		for i in range(a.size()):
			if not _same(a[i], b[i]):
				return false
		return true
	if typeof(a) == TYPE_DICTIONARY:
		if a.size() != b.size():
			return false
		for key in a:
			if not b.has(key) or not _same(a[key], b[key]):
				return false
		return true
	return a == b

# -------------------------------------------------------------------------------------------------------------------
# The shorthands of clients/spec/README.md, expanded as spec-scenarios.ts does

# A sent frame as the scenario writes it: its cid as #1, #2… in the order first sent.
func _named(frame):
	if frame.has("cid"):
		if not _cids.has(frame["cid"]):
			_cids.append(frame["cid"])
		frame["cid"] = "#%d" % (_cids.find(frame["cid"]) + 1)
	return frame

func _real_cid(placeholder):
	if placeholder.begins_with("#") and int(placeholder.substr(1)) <= _cids.size():
		return _cids[int(placeholder.substr(1)) - 1]
	return placeholder

func _member(value):
	if typeof(value) in [TYPE_INT, TYPE_REAL]:
		return {"id": int(value), "name": "u%d" % int(value)}
	return value

func _message(value):
	var given = {"seq": value} if typeof(value) in [TYPE_INT, TYPE_REAL] else value
	var seq = int(given["seq"])
	var message = {"seq": seq, "ts": seq, "sender": {"id": 9, "name": "ann"}, "text": "m%d" % seq}
	for key in given:
		if key == "from":
			message["sender"] = {"id": int(given["from"]), "name": "me"}
		elif key == "size":
			message["text"] = _repeat("x", int(given["size"]))
		elif key == "cid":
			message["cid"] = _real_cid(given["cid"])
		else:
			message[key] = given[key]
	return message

func _repeat(text, times):
	var result = ""
	for _i in range(times):
		result += text
	return result

func expand(packet):
	var full = packet.duplicate(true)
	match packet["type"]:
		"welcome":
			var id = int(packet.get("id", 1))
			var name = packet.get("name", "me")
			var history = []
			for value in packet.get("history", []):
				history.append(_message(value))
			var members = []
			for value in packet.get("members", [{"id": id, "name": name}]):
				members.append(_member(value))
			var changed = []
			for value in packet.get("changed", []):
				changed.append(_message(value))
			full = {"type": "welcome", "id": id, "name": name, "members": members, "memberCount": members.size(), "history": history,
				"more": false, "lastSeq": 0 if history.size() == 0 else history[history.size() - 1]["seq"], "limits": spec["defaults"]["limits"],
				"resumeKey": "k%d" % id}
			for key in packet:
				if not key in ["id", "name", "members", "history", "changed"]:
					full[key] = packet[key]
			if packet.has("changed"):
				full["changed"] = changed
		"chat":
			full = _message(packet)
			full["type"] = "chat"
		"history", "changes":
			full["messages"] = []
			for value in packet["messages"]:
				full["messages"].append(_message(value))
		"members", "joins", "leaves":
			full["members"] = []
			for value in packet["members"]:
				full["members"].append(_member(value))
		"presence":
			for key in ["members", "joins", "leaves"]:
				if packet.has(key):
					full[key] = []
					for value in packet[key]:
						full[key].append(_member(value))
		"join", "leave":
			if not packet.has("name"):
				full["name"] = "u%d" % int(packet["id"])
		"error":
			if packet.has("cid"):
				full["cid"] = _real_cid(packet["cid"])
	return full
