# What the player sends to the room (the rules: clients/spec; the JavaScript client's twin is src/client/send-queue.ts):
# queued while the room is out of reach, paced to the room's rate limit so that a backlog is not refused, and
# remembered until the room's echo confirms it, so that a chat lost with a dropped connection, or refused, is sent
# again, in the order the player typed.
#
# Every chat carries a client id (`cid`): the room's echo and its refusals name it, and a chat sent again is not
# posted twice. A room that ignores cids (an older server) is matched by sender and trimmed text instead.
#
# Edits, deletions and reactions of the player's go the same way, in order with its chats (rule "own-changes"). An
# edit carries a cid, as a chat does, which refusals name. Each is confirmed by the room's change to its message (the
# edit's text, the deletion, new reactions), or by the echo of a chat of ours sent after it (the room takes a
# connection's packets in order); sent again, none does harm (the same text, a reaction given twice is one).
#
# GDScript that Godot 3 and Godot 4 both parse and run, like chat_logic.gd, which owns it.

# BURST_MARGIN: how many tokens short of the room's burst we keep, for frames the network bunches up on the way.
# REFUSAL_CHECK_MS: how long after a refusal that names no chat a chat the room has not echoed counts as refused.
# CID_ALPHABET, CID_LENGTH: what a cid is made of. DEFAULT_LIMITS: the room's, until its welcome says them.
const Constants = preload("constants.gd")

var _rng
var _waiting = []
# Chats and changes handed to a socket that the room has not confirmed, in the order sent: {"packet", "id": our
# member id then, "suspect": sent before a refusal that named no chat}.
var _unconfirmed = []
var _tokens = 0.0
var _capacity = 0.0
var _refill_per_ms = 0.0
var _refilled_at = 0
var _bytes_per_token = Constants.DEFAULT_LIMITS["rateLimitBytesPerToken"]
var _paused_until = 0

func _init(rng):
	_rng = rng

func size():
	return _waiting.size()

# A chat; `options`: "replyTo" (the seq of the message it answers), "data" (a Dictionary for the game).
func push_chat(text, options = {}):
	var packet = {"type": "chat", "text": text, "cid": _new_cid()}
	if options.has("replyTo"):
		packet["replyTo"] = int(options["replyTo"])
	if options.has("data"):
		packet["data"] = options["data"]
	_waiting.append(packet)

# An edit (it gets a cid), a deletion, a reaction given or taken back.
func push_change(packet):
	if packet["type"] == "edit":
		packet["cid"] = _new_cid()
	_waiting.append(packet)

func push_rename(new_name):
	_waiting.append({"type": "rename", "name": new_name})

# A join carries the newest name: renames still waiting have nothing left to do.
func drop_renames():
	var kept = []
	for packet in _waiting:
		if packet["type"] != "rename":
			kept.append(packet)
	_waiting = kept

# The packet to send next, if any, as of `now_ms`: suspects of a refusal whose check is due go first.
func next(now_ms):
	if now_ms >= _paused_until:
		var suspects = []
		for sent in _unconfirmed:
			if sent["suspect"]:
				suspects.append(sent)
		_requeue(suspects)
	if _waiting.size() == 0:
		return null
	return _waiting[0]

func pace_to(limits, now_ms):
	var defaults = Constants.DEFAULT_LIMITS
	_capacity = max(1, int(limits.get("rateLimitBurst", defaults["rateLimitBurst"])) - Constants.BURST_MARGIN)
	_refill_per_ms = float(limits.get("rateLimitPerSecond", defaults["rateLimitPerSecond"])) / 1000.0
	_bytes_per_token = int(limits.get("rateLimitBytesPerToken", defaults["rateLimitBytesPerToken"]))
	_tokens = _capacity
	_refilled_at = now_ms
	_paused_until = 0

func pause_until(at_ms):
	_paused_until = max(_paused_until, at_ms)

# 0 if a frame `bytes` long may go now, and it is charged for; otherwise how long to wait, in ms.
func wait_before_sending(now_ms, bytes):
	if _paused_until > now_ms:
		return _paused_until - now_ms
	if _capacity <= 0:
		return 0
	_refill(now_ms)
	# A frame dearer than the burst is charged as the burst, or it could never go.
	var cost = min(_cost(bytes), _capacity)
	if _tokens < cost:
		return int(ceil((cost - _tokens) / _refill_per_ms))
	_tokens -= cost
	return 0

# The room charged us for an answer (a history or members page) by its size, as we must too: we may go into debt.
func bill(now_ms, bytes):
	if _capacity <= 0 or bytes <= 0:
		return
	_refill(now_ms)
	_tokens -= _cost(bytes)

# Takes the head of the queue to send it; a chat or a change is remembered until the room confirms it.
func take(sender_id):
	var packet = _waiting.pop_front()
	if packet != null and packet["type"] != "rename":
		_unconfirmed.append({"packet": packet, "id": sender_id, "suspect": false})
	return packet

# A message came from the room (`raw`, as it came, with its cid if any): if it is one of ours, it arrived, and is
# never sent again; nor are the changes we sent before it, which the room has taken in order.
func confirm(raw):
	var cid = str(raw.get("cid", ""))
	var sender_id = int(raw.get("sender", {}).get("id", -1))
	var text = str(raw.get("text", ""))
	var index = -1
	for i in range(_unconfirmed.size()):
		var packet = _unconfirmed[i]["packet"]
		if packet["type"] != "chat":
			continue
		if (cid != "" and packet["cid"] == cid) or (cid == "" and _unconfirmed[i]["id"] == sender_id and packet["text"].strip_edges() == text):
			index = i
			break
	if index >= 0:
		var kept = []
		for i in range(_unconfirmed.size()):
			if i > index or (i < index and _unconfirmed[i]["packet"]["type"] == "chat"):
				kept.append(_unconfirmed[i])
		_unconfirmed = kept
	if cid == "":
		return
	# A chat queued again whose first copy made it after all.
	var waiting = []
	for packet in _waiting:
		if packet["type"] != "chat" or packet["cid"] != cid:
			waiting.append(packet)
	_waiting = waiting

# The room refused the chat `cid` (rate_limited, room_busy), and answers only the first refusal of a second: the
# chats sent after it may have been dropped unanswered. They all go again, in order, when the pause is over; one
# the room took after all is not stored twice (same cid). False if the cid is not one of ours awaiting its echo.
func refused(cid):
	var from = -1
	for i in range(_unconfirmed.size()):
		if _unconfirmed[i]["packet"].get("cid", "") == cid:
			from = i
			break
	if from < 0:
		return false
	var refused_chats = []
	for i in range(from, _unconfirmed.size()):
		refused_chats.append(_unconfirmed[i])
	_requeue(refused_chats)
	return true

# The room changed message `seq`: `kind` "deleted", "edited" (live, or its state on a resume: its text now is
# `text`), or "reactions". Ours that did so arrived: a deletion settles every change of ours to it, an edit ours with
# its text (sent or queued again), new reactions the reactions we sent to it.
func settled(seq, kind, text = ""):
	var kept = []
	for sent in _unconfirmed:
		if not _settles(sent["packet"], seq, kind, text):
			kept.append(sent)
	_unconfirmed = kept
	if kind == "reactions":
		# Reactions queued are the player's new ones: only those sent are settled.
		return
	var waiting = []
	for packet in _waiting:
		if not _settles(packet, seq, kind, text):
			waiting.append(packet)
	_waiting = waiting

# The room refused for good (an error without retryAfterMs) the packet that `cid` names, or without a cid the oldest
# change of type `type` it has not confirmed: it is not sent again. The packet, or null if none was ours.
func dismissed(type, cid):
	var found = null
	var kept = []
	for sent in _unconfirmed:
		var packet = sent["packet"]
		var it = (packet.get("cid", "") == cid) if cid != "" else (packet["type"] == type and type != "chat")
		if it and found == null:
			found = packet
		else:
			kept.append(sent)
	_unconfirmed = kept
	return found

func _settles(packet, seq, kind, text):
	if packet["type"] in ["chat", "rename"] or int(packet["seq"]) != seq:
		return false
	if kind == "deleted":
		return true
	if packet["type"] == "edit":
		return kind == "edited" and packet["text"].strip_edges() == text
	return kind == "reactions" and packet["type"] != "delete"

# The room refused something without naming a chat of ours: every unconfirmed chat is suspect, and those still
# unconfirmed once the pause (at least REFUSAL_CHECK_MS, for the echoes of those taken to come) is over go again.
func suspect_all(now_ms, retry_after_ms):
	if _unconfirmed.size() == 0:
		return
	for sent in _unconfirmed:
		sent["suspect"] = true
	pause_until(now_ms + max(retry_after_ms, Constants.REFUSAL_CHECK_MS))

# Chats sent on an earlier connection (`sender_id` is the current one's) that the room never confirmed are lost:
# they go out again, ahead of anything queued since. Call once a resume has delivered everything missed.
func resend_lost(sender_id):
	var lost = []
	for sent in _unconfirmed:
		if sent["id"] != sender_id:
			lost.append(sent)
	_requeue(lost)

# Puts chats sent before back at the head of the queue, in the order they were sent, with their cids.
func _requeue(chats):
	if chats.size() == 0:
		return
	var kept = []
	for sent in _unconfirmed:
		if not chats.has(sent):
			kept.append(sent)
	_unconfirmed = kept
	var again = []
	for sent in chats:
		again.append(sent["packet"])
	_waiting = again + _waiting

func _refill(now_ms):
	_tokens = min(_capacity, _tokens + (now_ms - _refilled_at) * _refill_per_ms)
	_refilled_at = now_ms

# A frame costs one token per started `rateLimitBytesPerToken` bytes, as the room counts it.
func _cost(bytes):
	return max(1, int(ceil(float(bytes) / _bytes_per_token)))

func _new_cid():
	var cid = ""
	for _i in range(Constants.CID_LENGTH):
		cid += Constants.CID_ALPHABET[_rng.randi() % Constants.CID_ALPHABET.length()]
	return cid
