# Who is in the room, as the addon has heard it (the JavaScript client's twin is src/client/roster.ts): the welcome's
# members, the pages of a large room's list that follow it, then joins, leaves, renames and new states. Kept in the
# order they joined; a member heard of twice (in a page and in a join, or our own join after the welcome listed us)
# is one. A member is {id, name, verified?, user?, guest?, state?, vouched?}: `state` as the room last told it (absent
# when empty), `vouched` the fields of it that the member's token set.
#
# GDScript that Godot 3 and Godot 4 both parse and run, like chat_logic.gd, which owns it.

var _members = []
# Paging a large room's list: the id of the last member listed, whether more are wanted, whether a page is asked for.
var _after = 0
var _wanted = false
var _asked = false
# How many members the room has: the welcome's count, then one more per new member's join, one less per leave (a
# large room lists fewer than it has until its pages are in).
var count = 0

# Everyone known, in the order they joined: copies, for the game to keep.
func members():
	return _members.duplicate(true)

# A welcome starts the list over; it lists at most membersPageMax of the room's memberCount members.
func start(members, member_count):
	_members = []
	for member in members:
		add(member)
	_after = 0 if _members.size() == 0 else _members[_members.size() - 1]["id"]
	_wanted = _members.size() < member_count
	_asked = false
	count = member_count

# The request for the next page, if one is wanted and none is on its way.
func next_request(page_max):
	if not _wanted or _asked:
		return null
	return {"type": "members", "after": _after, "limit": page_max}

func requested():
	_asked = true

# A page came: its members are added, and the next is wanted if the room says there are more.
func received(members, more):
	for member in members:
		add(member)
		_after = member["id"]
	_wanted = more
	_asked = false

# The page asked for will not come (the connection dropped): a rejoin's welcome starts over anyway.
func lost():
	_asked = false

# Adds a member not listed yet; false if it was.
func add(member):
	for known in _members:
		if known["id"] == member["id"]:
			return false
	_members.append(member)
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
