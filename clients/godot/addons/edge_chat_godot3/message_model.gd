# The messages the addon delivered, by seq, each in its current state (the rules: clients/spec, "changes" and
# "quotes"; the JavaScript client's twin is src/client/message-model.ts). A change the room announces (edited,
# deleted, reactions) or reports on a resume (a welcome's `changed`, a `changes` page) is applied to the message it
# names if the addon holds it, and told as ["message_changed", message, change]; a change to a message never
# delivered is dropped: should it be delivered later, it comes in its current state. When a message is deleted,
# every reply held quotes it as deleted; an edit changes no quote (a quote is the original as it was when the reply
# was sent).
#
# GDScript that Godot 3 and Godot 4 both parse and run, like chat_logic.gd, which owns it.

# {seq: message}, each {seq, ts, sender, text, cid?, edited?, replyTo?, data?, reactions?} or a tombstone
# {seq, ts, sender, text: "", deleted: true, cid?}.
var messages = {}
# The seqs of the replies held, by the seq of the message each quotes.
var _replies = {}
# "seq reaction" of the reactions this addon gave and did not take back.
var _own = {}

func reset():
	messages = {}
	_replies = {}
	_own = {}

# Messages delivered for the first time: held from now on.
func add(message):
	messages[message["seq"]] = message
	if message.has("replyTo"):
		var original = message["replyTo"]["seq"]
		if not _replies.has(original):
			_replies[original] = []
		if not _replies[original].has(message["seq"]):
			_replies[original].append(message["seq"])

# A live change (edited, deleted, reactions): [[message, change], ...] for the message it names if held, and the
# replies whose quote it changed.
func apply(packet):
	var seq = int(packet.get("seq", 0))
	var changed = []
	if messages.has(seq):
		var next = changed_by(messages[seq], packet)
		if next != null:
			add(next)
			changed.append([next, packet["type"]])
	if packet["type"] == "deleted":
		changed += _deleted(seq)
	return changed

# Messages in their current state (a welcome's `changed`, a `changes` page): those held whose state differs are
# replaced; a deleted one, held or not, empties the quotes of the replies held.
func replace(states):
	var changed = []
	for message in states:
		var seq = message["seq"]
		if messages.has(seq) and not same(messages[seq], message):
			add(message)
			changed.append([message, "state"])
		if message.get("deleted", false):
			changed += _deleted(seq)
	return changed

# `message` as the live change `packet` leaves it; null if the change does not apply (a tombstone stays one).
func changed_by(message, packet):
	if message.get("deleted", false):
		return null
	var next = message.duplicate(true)
	match packet["type"]:
		"edited":
			next["text"] = str(packet.get("text", ""))
			next["edited"] = int(packet.get("edited", 0))
		"reactions":
			next.erase("reactions")
			var reactions = reactions_of(packet.get("reactions", []))
			if reactions.size() > 0:
				next["reactions"] = reactions
		"deleted":
			next = {"seq": message["seq"], "ts": message["ts"], "sender": message["sender"], "text": "", "deleted": true}
			if message.has("cid"):
				next["cid"] = message["cid"]
		_:
			return null
	return next

# `message` quoting message `seq` as deleted, if it quotes it as it was; else null.
func quoting_deleted(message, seq):
	if message.get("deleted", false) or not message.has("replyTo"):
		return null
	var quote = message["replyTo"]
	if quote["seq"] != seq or quote.get("deleted", false):
		return null
	var next = message.duplicate(true)
	next["replyTo"] = {"seq": seq, "name": quote["name"], "text": "", "deleted": true}
	return next

func reacted(seq, reaction, on):
	if on:
		_own["%d %s" % [seq, reaction]] = true
	else:
		_own.erase("%d %s" % [seq, reaction])

func reacted_by_me(seq, reaction):
	return _own.has("%d %s" % [seq, reaction])

# Reactions as the room sends them, their numbers whole.
func reactions_of(raw_reactions):
	var reactions = []
	for raw in raw_reactions:
		var by = []
		for name in raw.get("by", []):
			by.append(str(name))
		reactions.append({"reaction": str(raw.get("reaction", "")), "count": int(raw.get("count", 0)), "by": by})
	return reactions

# Equal values (Godot 3 compares dictionaries by reference). Messages are read alike (chat_logic.gd, _message_of:
# their numbers whole), so values of different types differ.
func same(a, b):
	if typeof(a) != typeof(b):
		return false
	if typeof(a) == TYPE_ARRAY:
		if a.size() != b.size():
			return false
		for i in range(a.size()):
			if not same(a[i], b[i]):
				return false
		return true
	if typeof(a) == TYPE_DICTIONARY:
		if a.size() != b.size():
			return false
		for key in a:
			if not b.has(key) or not same(a[key], b[key]):
				return false
		return true
	return a == b

# Message `seq` is deleted: the replies held that quote it quote it as deleted.
func _deleted(seq):
	for key in _own.keys():
		if key.begins_with("%d " % seq):
			_own.erase(key)
	var changed = []
	for reply_seq in _replies.get(seq, []):
		var next = quoting_deleted(messages[reply_seq], seq)
		if next != null:
			messages[reply_seq] = next
			changed.append([next, "state"])
	_replies.erase(seq)
	return changed
