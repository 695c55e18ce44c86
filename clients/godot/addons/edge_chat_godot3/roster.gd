# Who is in the room, as the addon has heard it (the JavaScript client's twin is src/client/roster.ts, and its pages
# src/client/member-pages.ts): the welcome's members, the pages of a large room's list that follow it, then joins,
# leaves, renames and new states. Kept in the order they joined, which is the order of their ids (a member heard of
# late, a page's after a join, takes its place); a member heard of twice (in a page and in a join, or our own join
# after the welcome listed us) is one. A member is {id, name, verified?, user?, guest?, state?, vouched?}: `state` as
# the room last told it (absent when empty), `vouched` the fields of it that the member's token set.
#
# A room past its presenceListMax tells presence in summary (rule presence-summary of clients/spec): the list holds
# only the members near the player (the welcome's or a switch's, moderators who join, members who speak), the count
# is the room's as each `presence` packet says it, and the list pages nothing by itself. The game pages the whole
# list with load_members(): those pages are the game's, never merged into the list.
#
# GDScript that Godot 3 and Godot 4 both parse and run, like chat_logic.gd, which owns it.

var _members = []
# How the room tells its presence: "list" (every join and leave) or "summary" (a count and the near members).
var mode = "list"
# Paging the list: the id of the last member listed, whether more are wanted, whether the list pages at all (not in
# summary), and whether a page on its way was asked before the list started over (it moves the cursor no more).
var _after = 0
var _wanted = false
var _list_pages = true
var _list_restarted = false
# Paging for the game (load_members): the id of the last member it was answered, whether it wants the next page,
# and whether the last said there were no more.
var _app_after = 0
var _app_wanted = false
var _app_at_end = false
# Who the page on its way is for: "list", "app", or "" (none asked).
var _asked = ""
# How many members the room has: the welcome's count, then one more per new member's join, one less per leave (a
# large room lists fewer than it has until its pages are in); in summary, each presence packet's.
var count = 0

# Everyone known, in the order they joined: copies, for the game to keep.
func members():
	return _members.duplicate(true)

# A welcome starts the list over; it lists at most membersPageMax of the room's memberCount members, or in summary
# the near members only.
func start(members, member_count, presence):
	_members = []
	for member in members:
		add(member)
	mode = presence
	_after = 0 if _members.size() == 0 else _members[_members.size() - 1]["id"]
	_wanted = _members.size() < member_count
	_list_pages = mode != "summary"
	_list_restarted = false
	_asked = ""
	count = member_count

# The game asks for the next page of the whole list (`from_start`: the first again); false if one is wanted or on its
# way, or the last said there were no more.
func want_page(from_start):
	if _app_wanted or _asked == "app" or (_app_at_end and not from_start):
		return false
	if from_start:
		_app_after = 0
	_app_wanted = true
	return true

# The request for the next page, if one is wanted and none is on its way: the list's first, then the game's.
func next_request(page_max):
	var reader = _next_reader()
	if reader == "":
		return null
	return {"type": "members", "after": _after if reader == "list" else _app_after, "limit": page_max}

func requested():
	_asked = _next_reader()

func _next_reader():
	if _asked != "":
		return ""
	if _list_pages and _wanted:
		return "list"
	return "app" if _app_wanted else ""

# A page came: who it is for ("app": the game's, not listed). The list's is listed, unless it was asked before the
# room went into summary presence (nothing would take those members out again).
func received(members, more):
	var reader = "list" if _asked == "" else _asked
	_asked = ""
	if reader == "app":
		_app_wanted = false
		_app_at_end = not more
		if members.size() > 0:
			_app_after = members[members.size() - 1]["id"]
		return reader
	if mode == "summary":
		return reader
	for member in members:
		add(member)
	if _list_restarted:
		_list_restarted = false
		return reader
	if members.size() > 0:
		_after = members[members.size() - 1]["id"]
	_wanted = more
	return reader

# The page asked for will not come (the connection dropped): asked again after the rejoin.
func lost():
	_asked = ""
	_list_restarted = false

# Adds a member not listed yet, at its place by id; false if it was listed.
func add(member):
	var at = _members.size()
	while at > 0 and _members[at - 1]["id"] >= member["id"]:
		if _members[at - 1]["id"] == member["id"]:
			return false
		at -= 1
	_members.insert(at, member)
	return true

# A member joined: listed, and counted, unless it was listed already (our own join, or a join heard twice).
func joined(member):
	if not add(member):
		return false
	count += 1
	return true

# A member left: it is no longer listed, and no longer counted (one not listed yet, in a large room whose pages are
# still coming, is counted all the same).
func remove(id):
	var kept = []
	for known in _members:
		if known["id"] != id:
			kept.append(known)
	if kept.size() < _members.size() or _wanted:
		count = max(0, count - 1)
	_members = kept

# A `presence` packet (its lists as members): the room's mode and count now. A switch to summary brings the near
# members, which replace the list (the player's own entry, `self_id`, stays); a switch back to list pages the whole
# list again from the start. Then the near members who came and went, not counted (the count is the packet's).
# Returns the joins newly listed.
func summarized(packet_mode, member_count, near, joins, leaves, self_id):
	if packet_mode != mode:
		_list_pages = packet_mode != "summary"
		if _list_pages:
			_after = 0
			_wanted = true
			_list_restarted = _asked == "list"
	mode = packet_mode
	count = member_count
	if near != null:
		var self_entry = member(self_id)
		_members = []
		for entry in near:
			add(entry)
		if self_entry != null:
			add(self_entry)
	var came = []
	for entry in joins:
		if add(entry):
			came.append(entry)
	for entry in leaves:
		var at = _index_of(entry["id"])
		if at >= 0:
			_members.erase(_members[at])
	return came

# In summary presence the sender of a chat heard live is near: listed if it was not (the room tells its leave).
# True if it was added; never the room's own voice.
func spoke(sender):
	if mode != "summary" or sender.has("system"):
		return false
	return add(sender)

func has(id):
	return _index_of(id) >= 0

# Member `id` as listed (a copy), or null.
func member(id):
	var at = _index_of(id)
	return null if at < 0 else _members[at].duplicate(true)

# Member `id` has a new state (`{}`: none): its entry (a copy), or null if it is not listed.
func set_state(id, state):
	var at = _index_of(id)
	if at < 0:
		return null
	if typeof(state) == TYPE_DICTIONARY and state.size() > 0:
		_members[at]["state"] = state
	else:
		_members[at].erase("state")
	return _members[at].duplicate(true)

func _index_of(id):
	for i in range(_members.size()):
		if _members[i]["id"] == id:
			return i
	return -1

# A rename keeps the member's place in the list.
func rename(id, new_name):
	for known in _members:
		if known["id"] == id:
			known["name"] = new_name
