# Unit tests of the addon's shared logic (clients/godot/addons/edge_chat/chat_logic.gd), run headless by Godot 3:
#   godot3-server --no-window -s chat_logic_test.gd --logic=/abs/path/chat_logic.gd
# Prints "FAIL <what>" for each failed check and "PASSED <n>" or "FAILED <n>" at the end; exits 0 only if all passed.
extends SceneTree

var Logic
var _checks = 0
var _failures = 0

func _init():
	var path = ""
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--logic="):
			path = arg.substr("--logic=".length())
	Logic = load(path)
	test_backoff()
	test_join_and_dedupe()
	test_resume_fills_gap_in_order()
	test_pacing()
	test_removal_stops()
	test_lost_chats_resent()
	test_token_refresh()
	test_seeded_jitter()
	test_members_and_own_join()
	test_refused_join_said_once()
	test_cid_format()
	test_typers_told_as_members()
	test_timer_drops_typers_and_sends_state()
	test_member_states_told()
	test_state_refusals()
	test_join_refused_for_its_state()
	test_member_count_of_a_large_room()
	test_system_sender()
	test_settings_told()
	test_slow_mode_wait()
	test_mute_told_and_timed()
	test_waits_refused_for_good()
	test_moderator_calls()
	test_summary_presence_told()
	print("%s %d" % ["PASSED" if _failures == 0 else "FAILED", _checks])
	quit(0 if _failures == 0 else 1)

func check(what, ok):
	_checks += 1
	if not ok:
		_failures += 1
		print("FAIL ", what)

func welcome(id, history, more = false, last_seq = -1):
	if last_seq < 0:
		last_seq = 0 if history.empty() else history[history.size() - 1]["seq"]
	return {"type": "welcome", "id": id, "name": "me", "members": [], "history": history, "more": more, "lastSeq": last_seq,
		"limits": {"rateLimitBurst": 3, "rateLimitPerSecond": 2, "rateLimitBytesPerToken": 4096, "historyPageMax": 2},
		"resumeKey": "k%d" % id}

func msg(seq, text = ""):
	return {"seq": seq, "ts": 1, "sender": {"id": 9, "name": "ann"}, "text": text if text != "" else "m%d" % seq}

func chat_seqs(events):
	var seqs = []
	for event in events:
		if event[0] == "chat":
			seqs.append(event[1]["seq"])
	return seqs

func test_backoff():
	var logic = Logic.new("me")
	var previous_ceiling = 0
	for attempt in range(1, 12):
		var ceiling = min(30000, 500 * pow(2, attempt - 1))
		var low = logic.backoff_delay_ms(attempt, 0.0)
		var high = logic.backoff_delay_ms(attempt, 0.999999)
		check("attempt %d: delays in the upper half of the window" % attempt, low == int(ceiling / 2) and high <= ceiling and high >= ceiling - 1)
		check("attempt %d: the window grows, then stays capped" % attempt, ceiling >= previous_ceiling and ceiling <= 30000)
		previous_ceiling = ceiling
	var events = logic.on_closed(1006, "", 0.5)
	check("a drop schedules a reconnect", events[0][0] == "reconnecting" and events[0][2] == 1 and abs(events[0][1] - 0.375) < 0.001)

func test_join_and_dedupe():
	var logic = Logic.new("me")
	check("a first join has no since", same(logic.join_packet(), {"type": "join", "name": "me", "maxFrameBytes": 65535}))
	var events = logic.on_packet(welcome(1, [msg(1), msg(2)]), 0)
	check("welcome: connected, then the history", events[0][0] == "connected" and chat_seqs(events) == [1, 2])
	check("a message seen before is not delivered again", logic.on_packet({"type": "chat", "seq": 2, "ts": 1, "sender": {"id": 9, "name": "ann"}, "text": "m2"}, 0).empty())
	logic.on_closed(1006, "", 0.0)
	check("a rejoin asks for what came after the newest", same(logic.join_packet(), {"type": "join", "name": "me", "maxFrameBytes": 65535, "since": 2, "resume": "k1"}))

func test_resume_fills_gap_in_order():
	var logic = Logic.new("me")
	logic.on_packet(welcome(1, [msg(1)]), 0)
	logic.on_closed(1006, "", 0.0)
	# Missed 2..7; the welcome brings the newest page (6, 7) and says there is more.
	var events = logic.on_packet(welcome(2, [msg(6), msg(7)], true), 0)
	check("a resume with a gap holds its history back", chat_seqs(events).empty())
	check("a live chat during the gap is held too", logic.on_packet(merge({"type": "chat"}, msg(8)), 0).empty())
	logic.send_chat("typed meanwhile")
	var request = logic.next_packet()
	check("the gap is asked for, before the oldest held", request["type"] == "history" and request["before"] == 6)
	logic.wait_before_sending(0, 10)
	check("one history page at a time, and chats wait while the gap is filled", logic.next_packet() == null)
	check("a page that does not reach the gap's start delivers nothing yet", chat_seqs(logic.on_packet({"type": "history", "messages": [msg(4), msg(5)], "more": true}, 0)).empty())
	request = logic.next_packet()
	check("the next page goes on from the lowest received", request["before"] == 4)
	logic.wait_before_sending(0, 10)
	events = logic.on_packet({"type": "history", "messages": [msg(1), msg(2), msg(3)], "more": true}, 0)
	check("once filled: every missed message once, in order", chat_seqs(events) == [2, 3, 4, 5, 6, 7, 8])

# Dictionaries compare by reference in Godot 3: compare what they hold.
func same(a, b):
	return to_json(a) == to_json(b)

func merge(a, b):
	var merged = a.duplicate()
	for key in b:
		merged[key] = b[key]
	return merged

func test_pacing():
	var logic = Logic.new("me")
	logic.on_packet(welcome(1, []), 1000)
	for i in range(4):
		logic.send_chat("c%d" % i)
	var sent = 0
	while logic.next_packet() != null and logic.wait_before_sending(1000, 20) == 0:
		sent += 1
	check("a burst goes out up to one short of the room's burst", sent == 2)
	check("then it waits for the refill (2 per second)", logic.wait_before_sending(1000, 20) == 500)
	check("after the wait, the next one goes", logic.wait_before_sending(1500, 20) == 0)
	logic.on_packet({"type": "error", "code": "rate_limited", "message": "slow", "retryAfterMs": 800}, 1500)
	# A refusal that names no chat, with chats awaiting their echo: the pause lasts at least the refusal check (1 s),
	# for the echoes of the chats the room took to come back (clients/spec, rule refused-chats).
	check("a refusal's retryAfterMs pauses sending", logic.wait_before_sending(1600, 20) == 900)
	check("a frame costs a token per started 4096 bytes", logic.wait_before_sending(10000, 5000) == 0 and logic._queue._tokens == 0)

func test_removal_stops():
	for code in [4001, 4002, 4003]:
		var logic = Logic.new("me")
		logic.on_packet(welcome(1, []), 0)
		var events = logic.on_closed(code, "by a moderator", 0.5)
		check("close %d: disconnected, no reconnect" % code, events[0][0] == "disconnected" and events[0][1] == code and logic.stopped)
	var left = Logic.new("me")
	left.leave()
	check("leave() stops reconnecting", left.on_closed(1000, "", 0.5)[0][0] == "disconnected")

func test_lost_chats_resent():
	var logic = Logic.new("me")
	logic.on_packet(welcome(1, []), 0)
	logic.send_chat("lost one")
	logic.wait_before_sending(0, 10)
	logic.on_closed(1006, "", 0.0)
	logic.on_packet(welcome(2, []), 0)
	var packet = logic.next_packet()
	check("a chat the room never echoed is sent again after the rejoin", packet != null and packet["text"] == "lost one")

func test_token_refresh():
	var logic = Logic.new("me")
	# set(): against a logic without the property, the checks below fail rather than the script stopping.
	logic.set("refreshes_token", true)
	logic.on_packet(welcome(1, [msg(1), msg(2)]), 0)
	logic.send_chat("said just before it expired")
	logic.wait_before_sending(0, 10)
	var events = logic.on_closed(4010, "the token expired", 0.5)
	check("an expired token while joined asks the game for a new one, with no drop and no backoff", same(events, [["token_needed"]]) and not logic.stopped)
	check("the rejoin resumes", same(logic.join_packet(), {"type": "join", "name": "me", "maxFrameBytes": 65535, "since": 2, "resume": "k1"}))
	events = logic.on_packet(welcome(2, [msg(2), msg(3)]), 0)
	check("the resume delivers only what was missed", events[0][0] == "connected" and chat_seqs(events) == [3])
	var packet = logic.next_packet()
	check("a chat the room did not take is sent again", packet != null and packet["text"] == "said just before it expired")
	check("a token that expired before the welcome is a failed attempt, with backoff", logic.on_closed(1006, "", 0.5)[0][0] == "reconnecting"
		and logic.on_closed(4010, "", 0.5)[0][0] == "reconnecting")
	var without = Logic.new("me")
	without.on_packet(welcome(1, []), 0)
	events = without.on_closed(4010, "the token expired", 0.5)
	check("without new tokens, an expired one stops: the same would be refused", events[0][0] == "disconnected" and events[0][1] == 4010 and without.stopped)

# The rules both clients share are in clients/spec (test/godot/spec_runner.gd); these are the addon's own.

func test_seeded_jitter():
	# Godot 3 seeds its random numbers the same way in every run unless told otherwise: two players would come back
	# at the same moment. Two logics, as in two runs, draw different delays (equal by chance once in 10^15).
	var delays = []
	for _run in range(2):
		var logic = Logic.new("me")
		var drawn = []
		for _attempt in range(8):
			var events = logic.on_closed(1006, "")
			drawn.append(events[0][1])
		delays.append(drawn)
	check("the jitter differs from run to run", delays[0].size() == 8 and str(delays[0]) != str(delays[1]))

func test_members_and_own_join():
	var logic = Logic.new("me")
	var w = welcome(5, [])
	w["members"] = [{"id": 3, "name": "ann"}, {"id": 5, "name": "me"}]
	w["memberCount"] = 2
	logic.on_packet(w, 0)
	check("the welcome's members are kept", same(logic.members(), [{"id": 3, "name": "ann"}, {"id": 5, "name": "me"}]))
	check("our own join, listed in the welcome, is no member_joined", logic.on_packet({"type": "join", "id": 5, "name": "me"}, 0).size() == 0)
	var events = logic.on_packet({"type": "join", "id": 8, "name": "cy"}, 0)
	check("another's join is", events.size() == 1 and events[0][0] == "member_joined" and logic.members().size() == 3)
	logic.members()[0]["name"] = "changed by the game"
	check("members() is a copy", logic.members()[0]["name"] == "ann")

func test_refused_join_said_once():
	var logic = Logic.new("me")
	var events = logic.on_packet({"type": "error", "code": "name_taken", "message": "taken"}, 0)
	check("a taken name: the error, the socket closed, disconnected", events.size() == 3 and events[0][0] == "error" and events[1][0] == "_close_socket"
		and events[2][0] == "disconnected" and events[2][2] == "name_taken")
	check("and never again", logic.on_closed(1006, "", 0.5).size() == 0 and logic.stopped)

func test_cid_format():
	var logic = Logic.new("me")
	logic.on_packet(welcome(1, []), 0)
	logic.send_chat("a")
	logic.send_chat("b")
	var first = logic.next_packet(0)["cid"]
	logic.wait_before_sending(0, 10)
	var second = logic.next_packet(0)["cid"]
	check("a chat's cid is 1-64 of [A-Za-z0-9_-], one per chat", valid_cid(first) and valid_cid(second) and first != second)

func valid_cid(cid):
	if cid.length() < 1 or cid.length() > 64:
		return false
	for c in cid:
		if not (c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"):
			return false
	return true

# -------------------------------------------------------------------------------------------------------------------
# Live signals (issue 24): what the adapters and the game rely on beyond the spec's checks.

func signals_welcome(id, members, member_count = -1):
	var w = welcome(id, [])
	w["members"] = members
	w["memberCount"] = members.size() if member_count < 0 else member_count
	return w

func ids_of(members):
	var ids = []
	for member in members:
		ids.append(member["id"])
	return ids

# The events named `name`, in order.
func named(events, name):
	var found = []
	for event in events:
		if event[0] == name:
			found.append(event)
	return found

func test_typers_told_as_members():
	var logic = Logic.new("me")
	logic.on_packet(signals_welcome(1, [{"id": 1, "name": "me"}, {"id": 2, "name": "ann"}, {"id": 3, "name": "bo"}]), 0)
	var events = logic.on_packet({"type": "signals", "typing": [3, 2]}, 100)
	var told = named(events, "typing_changed")
	check("typing_changed tells the typers as members, names and all, in the order they started",
		told.size() == 1 and same(told[0][1], [{"id": 3, "name": "bo"}, {"id": 2, "name": "ann"}]))
	check("a refresh of the same typers tells nothing", named(logic.on_packet({"type": "signals", "typing": [2]}, 200), "typing_changed").empty())
	logic.on_packet({"type": "rename", "id": 3, "name": "bob", "previous": "bo"}, 300)
	check("typers() shows a typer's new name", same(logic.typers()[0], {"id": 3, "name": "bob"}))
	# A typer signalled before the addon knew it: ignored, and not shown once it joins within the timeout.
	logic.on_packet({"type": "signals", "typing": [7]}, 400)
	logic.on_packet({"type": "join", "id": 7, "name": "cy"}, 500)
	check("an id signalled before its join is not a typer", ids_of(logic.typers()) == [3, 2])
	events = logic.on_packet(merge({"type": "chat"}, {"seq": 1, "ts": 1, "sender": {"id": 2, "name": "ann"}, "text": "hi"}), 600)
	check("a typer's chat: the chat, then the typers without it", events.size() == 2 and events[0][0] == "chat"
		and events[1][0] == "typing_changed" and ids_of(events[1][1]) == [3])
	var typing = logic.typing(700)
	check("typing() is a frame to send now, as the adapter's instruction", same(typing, [["_send", {"type": "typing"}]]))

func test_timer_drops_typers_and_sends_state():
	var logic = Logic.new("me")
	check("nothing to time before a welcome", logic.next_timer() == -1)
	logic.on_packet(signals_welcome(1, [{"id": 1, "name": "me"}, {"id": 2, "name": "ann"}, {"id": 3, "name": "bo"}]), 1000)
	logic.on_packet({"type": "signals", "typing": [2]}, 1000)
	logic.on_packet({"type": "signals", "typing": [3]}, 2500)
	check("the timer is due when the first typer goes quiet: typingTimeoutMs (6 s by default) after its signal", logic.next_timer() == 7000)
	check("before then, the tick drops nobody", logic.tick(6999).empty() and ids_of(logic.typers()) == [2, 3])
	var events = logic.tick(7000)
	check("then it drops that typer, and tells the typers left", events.size() == 1 and events[0][0] == "typing_changed" and ids_of(events[0][1]) == [3])
	check("and is due for the next", logic.next_timer() == 8500)
	logic.tick(8500)
	check("with nobody typing and no state waiting, nothing is due", logic.next_timer() == -1)
	logic.set_state({"status": "away"})
	var sent = logic.next_packet(9000)
	logic.wait_before_sending(9000, 40)
	check("a state goes at once", sent != null and sent["type"] == "state" and same(sent["state"], {"status": "away"}))
	logic.set_state({"status": "back"})
	check("a change within stateIntervalMs waits, and the timer says until when", logic.next_packet(9500) == null and logic.next_timer() == 10000)
	sent = logic.next_packet(10000)
	check("when it is due, the latest goes", sent != null and sent["type"] == "state" and same(sent["state"], {"status": "back"}))
	check("set_state() keeps its own copy of the game's Dictionary", same(logic.own_state(), {"status": "back"}))
	events = logic.set_state("away")
	check("a state that is no Dictionary is refused at once, and not kept", same(events, [["error", "invalid_state", "a state must be a JSON object (a Dictionary)", 0],
		["refused", "state", "invalid_state", "a state must be a JSON object (a Dictionary)"]]) and same(logic.own_state(), {"status": "back"}))

func test_member_states_told():
	var logic = Logic.new("me")
	var events = logic.on_packet(signals_welcome(1, [{"id": 1, "name": "me"}, {"id": 2, "name": "ann", "state": {"avatar": "a.png", "status": "here"}, "vouched": ["avatar"]}]), 0)
	check("the welcome's members carry their state and vouched fields", same(logic.members()[1], {"id": 2, "name": "ann", "state": {"avatar": "a.png", "status": "here"}, "vouched": ["avatar"]}))
	check("an empty state is none", logic.on_packet({"type": "join", "id": 3, "name": "bo", "state": {}}, 0)[0][1].has("state") == false)
	events = logic.on_packet({"type": "join", "id": 4, "name": "cy", "state": {"status": "new"}}, 0)
	check("member_joined carries the state", events.size() == 1 and same(events[0][1], {"id": 4, "name": "cy", "state": {"status": "new"}}))
	events = logic.on_packet({"type": "signals", "states": [{"id": 2, "state": {"avatar": "a.png", "status": "in a match"}}, {"id": 9, "state": {"status": "x"}}, {"id": 4, "state": {}}]}, 0)
	var told = named(events, "member_state_changed")
	check("member_state_changed for each known member, with its whole entry, vouched kept", told.size() == 2
		and same(told[0][1], {"id": 2, "name": "ann", "state": {"avatar": "a.png", "status": "in a match"}, "vouched": ["avatar"]})
		and same(told[1][1], {"id": 4, "name": "cy"}))
	logic.members()[1]["state"]["status"] = "changed by the game"
	check("members() states are copies", logic.members()[1]["state"]["status"] == "in a match")

func test_state_refusals():
	var logic = Logic.new("me")
	logic.on_packet(signals_welcome(1, [{"id": 1, "name": "me"}]), 0)
	logic.set_state({"status": "ok"})
	logic.wait_before_sending(0, 40)
	logic.set_state({"status": "bad"})
	logic.wait_before_sending(1000, 40)
	logic.send_chat("after")
	var events = logic.on_packet({"type": "error", "code": "rate_limited", "message": "slow", "retryAfterMs": 300, "for": "state"}, 1100)
	var next = logic.next_packet(1100)
	check("a state refused for its rate holds back no chat", events.size() == 1 and events[0][3] == 300 and next != null and next["type"] == "chat"
		and logic.wait_before_sending(1100, 40) == 0)
	check("and the latest state goes once retryAfterMs is over", logic.next_packet(1399) == null and logic.next_timer() == 1400 and logic.next_packet(1400)["type"] == "state")
	logic.wait_before_sending(1400, 40)
	# A newer change waits (the interval) when the room refuses the last one for good: the newer one still goes.
	logic.set_state({"status": "newer"})
	events = logic.on_packet({"type": "error", "code": "invalid_state", "message": "too big", "for": "state"}, 1500)
	check("told once, as a refusal of the state", same(events, [["error", "invalid_state", "too big", 0], ["refused", "state", "invalid_state", "too big"]]))
	check("a newer state set meanwhile is kept, and goes", same(logic.own_state(), {"status": "newer"}) and logic.next_packet(2400)["type"] == "state")
	events = logic.on_packet({"type": "error", "code": "rate_limited", "message": "too many packets", "retryAfterMs": 200, "for": "typing"}, 2400)
	check("a refused typing signal is not told, and holds nothing back", events.empty() and logic.wait_before_sending(2400, 40) == 0)

func test_join_refused_for_its_state():
	var logic = Logic.new("me")
	logic.set_state({"team": "blue"})
	check("the join carries the state", same(logic.join_packet()["state"], {"team": "blue"}))
	var events = logic.on_packet({"type": "error", "code": "forbidden", "message": "team is your token's", "for": "join"}, 0)
	check("a join refused for its state: told, and joined again at once without it", events.size() == 3 and events[0][0] == "error"
		and same(events[1], ["refused", "state", "forbidden", "team is your token's"]) and events[2][0] == "_send"
		and same(events[2][1], {"type": "join", "name": "me", "maxFrameBytes": 65535}) and not logic.stopped)
	var plain = Logic.new("me")
	events = plain.on_packet({"type": "error", "code": "forbidden", "message": "no", "for": "join"}, 0)
	check("a join without a state refused as forbidden still stops", plain.stopped and events[events.size() - 1][0] == "disconnected")

func test_member_count_of_a_large_room():
	var logic = Logic.new("me")
	logic.on_packet(signals_welcome(1, [{"id": 1, "name": "me"}, {"id": 2, "name": "ann"}], 5), 0)
	logic.on_packet({"type": "leave", "id": 4, "name": "dee"}, 0)
	check("a leave of a member not paged in yet counts", logic.member_count() == 4)
	logic.on_packet({"type": "members", "members": [{"id": 3, "name": "bo"}, {"id": 5, "name": "eve"}], "more": false}, 0)
	logic.on_packet({"type": "leave", "id": 9, "name": "nobody"}, 0)
	check("once the list is whole, a leave of a member never listed does not", logic.member_count() == 4)
	logic.on_packet({"type": "join", "id": 6, "name": "fay"}, 0)
	logic.on_packet({"type": "join", "id": 6, "name": "fay"}, 0)
	check("a join heard twice counts once", logic.member_count() == 5)

# -------------------------------------------------------------------------------------------------------------------
# The room's rules (issue 25): the system sender, settings and slow mode, mute, a moderator's calls.

func test_system_sender():
	var logic = Logic.new("me")
	var w = signals_welcome(1, [{"id": 1, "name": "me"}])
	w["history"] = [{"seq": 1, "ts": 1, "sender": {"id": 0, "name": "Referee", "system": true}, "text": "Ann won"}]
	w["lastSeq"] = 1
	var events = logic.on_packet(w, 0)
	var chats = named(events, "chat")
	check("a message the backend posted keeps its system sender", chats.size() == 1 and same(chats[0][1]["sender"], {"id": 0, "name": "Referee", "system": true}))
	events = logic.on_packet({"type": "chat", "seq": 2, "ts": 2, "sender": {"id": 1, "name": "system", "system": "yes", "verified": true, "user": "u1"}, "text": "hi"}, 0)
	check("a member named system is a member: system only when the room says true", same(named(events, "chat")[0][1]["sender"], {"id": 1, "name": "system", "verified": true, "user": "u1"}))
	check("the room's voice is no echo of ours", logic.slow_mode_wait(0) == 0 and logic._is_mine({"sender": {"id": 1, "name": "me"}})
		and not logic._is_mine({"sender": {"id": 0, "name": "me", "system": true}}))

func test_settings_told():
	var logic = Logic.new("me")
	check("no settings before a welcome", same(logic.settings(), {}))
	var events = logic.on_packet(signals_welcome(1, [{"id": 1, "name": "me"}]), 0)
	check("a welcome without settings (an older room): the defaults, told", same(named(events, "settings_changed"), [["settings_changed", {"slowModeSeconds": 0, "listed": false}]]))
	var w = signals_welcome(1, [{"id": 1, "name": "me"}])
	w["settings"] = {"slowModeSeconds": 10, "listed": true, "title": "Lobby"}
	events = logic.on_packet(w, 0)
	check("a welcome's settings, told", same(named(events, "settings_changed"), [["settings_changed", {"slowModeSeconds": 10, "listed": true, "title": "Lobby"}]])
		and same(logic.settings(), {"slowModeSeconds": 10, "listed": true, "title": "Lobby"}))
	check("the same settings again are not told", named(logic.on_packet(w, 0), "settings_changed").empty())
	events = logic.on_packet({"type": "settings", "settings": {"slowModeSeconds": 10, "listed": true}}, 0)
	check("a settings packet: the room's whole settings now (a title gone is gone)", same(events, [["settings_changed", {"slowModeSeconds": 10, "listed": true}]]))
	check("unchanged, not told", logic.on_packet({"type": "settings", "settings": {"slowModeSeconds": 10, "listed": true}}, 0).empty())
	logic.settings()["listed"] = false
	check("settings() is a copy", logic.settings()["listed"] == true)

func test_slow_mode_wait():
	var logic = Logic.new("me")
	var w = signals_welcome(3, [{"id": 3, "name": "me"}])
	w["settings"] = {"slowModeSeconds": 10, "listed": false}
	logic.on_packet(w, 1000)
	check("no wait before a chat", logic.slow_mode_wait(1000) == 0)
	logic.on_packet({"type": "chat", "seq": 1, "ts": 1, "sender": {"id": 9, "name": "ann"}, "text": "hi"}, 2000)
	check("another's chat makes us wait for nothing", logic.slow_mode_wait(2000) == 0)
	logic.on_packet({"type": "chat", "seq": 2, "ts": 2, "sender": {"id": 3, "name": "me"}, "text": "mine"}, 3000)
	check("our chat: slowModeSeconds from its echo", logic.slow_mode_wait(3000) == 10000 and logic.slow_mode_wait(9000) == 4000 and logic.slow_mode_wait(13000) == 0)
	logic.on_packet({"type": "settings", "settings": {"slowModeSeconds": 0, "listed": false}}, 4000)
	check("slow mode off: no wait", logic.slow_mode_wait(4000) == 0)

func test_mute_told_and_timed():
	var logic = Logic.new("me")
	logic.clock_offset_ms = 1700000000000
	var w = signals_welcome(1, [{"id": 1, "name": "me"}, {"id": 2, "name": "ann"}])
	w["muted"] = {"until": 1700000000000 + 60000, "reason": "spam"}
	var events = logic.on_packet(w, 1000)
	check("a welcome says the player is muted, until when and why", same(named(events, "mute_changed"), [["mute_changed", true, 1700000060000, "spam"]])
		and same(logic.muted(), {"until": 1700000060000, "reason": "spam"}))
	check("its end is due on the adapter's clock", logic.next_timer() == 60000)
	check("a muted player's typing goes nowhere (the room would drop it)", logic.typing(2000).empty())
	check("before its end, the mute lasts", logic.tick(59999).empty() and logic.muted() != null)
	check("at its end, it is over, told, with no word from the room", same(logic.tick(60000), [["mute_changed", false, 0, ""]]) and logic.muted() == null
		and logic.next_timer() == -1 and logic.typing(60000).size() == 1)
	events = logic.on_packet({"type": "mute_status", "muted": true}, 61000)
	check("a moderator mutes until unmuted: no end", same(events, [["mute_changed", true, 0, ""]]) and same(logic.muted(), {}) and logic.next_timer() == -1)
	check("the same status again is not told", logic.on_packet({"type": "mute_status", "muted": true}, 61000).empty())
	check("unmuted", same(logic.on_packet({"type": "mute_status", "muted": false}, 62000), [["mute_changed", false, 0, ""]]))
	check("a mute whose end has passed (by our clock) is none", logic.on_packet({"type": "mute_status", "muted": true, "until": 1700000000000 + 62000}, 62000).empty()
		and logic.muted() == null)
	logic.on_packet({"type": "mute_status", "muted": true, "reason": "calm down"}, 63000)
	events = logic.on_packet(signals_welcome(1, [{"id": 1, "name": "me"}]), 64000)
	check("a welcome that says no mute ends one (it ended while away)", same(named(events, "mute_changed"), [["mute_changed", false, 0, ""]]))

func test_waits_refused_for_good():
	var logic = Logic.new("me")
	logic.clock_offset_ms = 5000000
	var w = signals_welcome(1, [{"id": 1, "name": "me"}])
	w["settings"] = {"slowModeSeconds": 30, "listed": false}
	logic.on_packet(w, 0)
	logic.send_chat("too soon")
	var cid = logic.next_packet(0)["cid"]
	logic.wait_before_sending(0, 40)
	var events = logic.on_packet({"type": "error", "code": "slow_mode", "message": "slow mode: wait", "retryAfterMs": 4000, "for": "chat", "cid": cid}, 100)
	check("slow_mode: told with its wait, and refused", same(events, [["error", "slow_mode", "slow mode: wait", 4000], ["refused", "chat", "slow_mode", "slow mode: wait"]]))
	check("the wait is the player's: slow_mode_wait() says it", logic.slow_mode_wait(100) == 4000)
	check("the chat is not sent again, now or after the wait, nor after a rejoin", logic.next_packet(100) == null and logic.next_packet(5000) == null
		and logic.on_closed(1006, "", 0.5)[0][0] == "reconnecting" and logic.on_packet(w, 6000).size() > 0 and logic.next_packet(6000) == null)
	logic.send_chat("spam")
	cid = logic.next_packet(6000)["cid"]
	logic.wait_before_sending(6000, 40)
	events = logic.on_packet({"type": "error", "code": "muted", "message": "you are muted", "retryAfterMs": 30000, "for": "chat", "cid": cid}, 6100)
	check("muted, unknown to us (a clock ahead of the room's): refused, and muted again until the refusal's wait ends", same(events, [["error", "muted", "you are muted", 30000],
		["refused", "chat", "muted", "you are muted"], ["mute_changed", true, 5000000 + 6100 + 30000, ""]]) and logic.next_timer() == 36100)
	check("and the chat is not sent again", logic.next_packet(40000) == null)
	events = logic.on_packet({"type": "error", "code": "muted", "message": "you are muted", "retryAfterMs": 29850, "for": "edit"}, 6200)
	check("a muted refusal that puts the end within a second of the known one changes nothing (only the way there differs)", events.size() == 2
		and same(logic.muted(), {"until": 5000000 + 36100}))
	logic.react(7, "👍")
	logic.wait_before_sending(40000, 40)
	events = logic.on_packet({"type": "error", "code": "muted", "message": "you are muted", "for": "react"}, 40100)
	check("a reaction refused while muted is not ours; with no wait, the mute lasts until lifted", events.size() == 3 and events[1][1] == "react"
		and not logic.reacted_by_me(7, "👍") and same(events[2], ["mute_changed", true, 0, ""]) and logic.next_timer() == -1)
	logic.on_packet({"type": "mute_status", "muted": true, "reason": "flood"}, 40100)
	events = logic.on_packet({"type": "error", "code": "muted", "message": "you are muted", "retryAfterMs": 1000, "for": "state"}, 40150)
	check("a muted refusal keeps the reason the mute had", same(named(events, "mute_changed"), [["mute_changed", true, 5000000 + 41150, "flood"]]))
	events = logic.on_packet({"type": "error", "code": "blocked_word", "message": "not allowed here", "for": "edit"}, 40200)
	check("blocked_word: told and refused, no wait", same(events, [["error", "blocked_word", "not allowed here", 0], ["refused", "edit", "blocked_word", "not allowed here"]]))

func test_moderator_calls():
	var logic = Logic.new("me")
	check("a call before the welcome is refused at once, not queued", same(logic.mute(2), [["error", "not_joined", "not in the room: a moderator's call goes only while joined", 0],
		["refused", "mute", "not_joined", "not in the room: a moderator's call goes only while joined"]]))
	logic.on_packet(signals_welcome(1, [{"id": 1, "name": "me"}, {"id": 2, "name": "ann"}]), 0)
	check("nothing of it waits in the queue", logic.next_packet(0) == null)
	check("mute() with minutes and a reason goes at once", same(logic.mute(2, 10, "spam"), [["_send", {"type": "mute", "id": 2, "minutes": 10, "reason": "spam"}]]))
	check("mute() without: until unmuted, no reason", same(logic.mute(2), [["_send", {"type": "mute", "id": 2}]]))
	check("unmute(user)", same(logic.unmute("address:ab12"), [["_send", {"type": "unmute", "user": "address:ab12"}]]))
	check("set_settings(): the fields given, and settings() unchanged until the room says", same(logic.set_settings({"slowModeSeconds": 10, "title": "Arena"}),
		[["_send", {"slowModeSeconds": 10, "title": "Arena", "type": "settings"}]]) and logic.settings()["slowModeSeconds"] == 0)
	check("settings that are no Dictionary are refused at once", same(logic.set_settings(10), [["error", "invalid_field", "settings must be a Dictionary", 0],
		["refused", "settings", "invalid_field", "settings must be a Dictionary"]]))
	var answer = {"type": "muted", "id": 2, "name": "ann", "user": "address:ab12", "until": 1700000600000}
	check("the room's answers are told as they came", same(logic.on_packet(answer, 0), [["moderated", answer]])
		and same(logic.on_packet({"type": "unmuted", "user": "address:ab12"}, 0), [["moderated", {"type": "unmuted", "user": "address:ab12"}]]))
	check("a member's call refused: told, as a refusal of it", same(logic.on_packet({"type": "error", "code": "forbidden", "message": "moderators only", "for": "mute"}, 0),
		[["error", "forbidden", "moderators only", 0], ["refused", "mute", "forbidden", "moderators only"]]))
	logic.on_closed(1006, "", 0.5)
	check("while reconnecting, a call is refused at once", logic.unmute("u1")[0][1] == "not_joined")
	logic.on_packet(signals_welcome(3, [{"id": 3, "name": "me"}]), 100)
	check("and nothing goes after the rejoin", logic.next_packet(100) == null)
	logic.rename("rude")
	logic.wait_before_sending(100, 40)
	var events = logic.on_packet({"type": "error", "code": "blocked_word", "message": "not allowed here", "for": "rename"}, 200)
	check("a rename refused for good leaves the room's name, which the next join carries", events.size() == 2 and logic.name == "me"
		and logic.on_closed(1006, "", 0.5).size() == 1 and logic.join_packet()["name"] == "me")

# In a room too large to list, the signals a game redraws by: near joins and leaves as member_joined and member_left,
# presence_changed for the count and for a speaker added; a far member's rename is not told, ours is.
func test_summary_presence_told():
	var logic = Logic.new("me")
	var packet = welcome(5, [])
	packet["presence"] = "summary"
	packet["members"] = [{"id": 2, "name": "mod"}, {"id": 5, "name": "me"}]
	packet["memberCount"] = 3000
	var events = logic.on_packet(packet, 0)
	check("summary: the welcome tells the mode and count", events.has(["presence_changed", "summary", 3000]) and logic.presence() == "summary")
	events = logic.on_packet({"type": "presence", "mode": "summary", "memberCount": 3001, "joins": [{"id": 7, "name": "mod2"}], "leaves": [{"id": 2, "name": "mod"}]}, 0)
	var names = []
	for event in events:
		names.append(event[0])
	check("summary: near join, near leave, then the count", names == ["member_joined", "member_left", "presence_changed"] and events[2][2] == 3001)
	events = logic.on_packet({"type": "chat", "seq": 1, "ts": 1, "sender": {"id": 40, "name": "ann"}, "text": "hi"}, 0)
	check("summary: a new speaker is told as presence_changed", events.has(["presence_changed", "summary", 3001]) and logic.member_count() == 3001)
	check("summary: a far member's rename is not told", logic.on_packet({"type": "rename", "id": 900, "name": "x", "previous": "y"}, 0).empty())
	events = logic.on_packet({"type": "rename", "id": 5, "name": "me2", "previous": "me"}, 0)
	check("summary: our own rename is", events.size() == 1 and events[0][0] == "member_renamed" and logic.name == "me2")
	check("summary: load_members asks once at a time", logic.load_members() and not logic.load_members() and logic.next_packet(0)["after"] == 0)
