# Who is in the room, as the addon has heard it (the JavaScript client's twin is src/client/roster.ts): the welcome's
# members, the pages of a large room's list that follow it, then joins, leaves and renames. Kept in the order they
# joined; a member heard of twice (in a page and in a join, or our own join after the welcome listed us) is one.
#
# GDScript that Godot 3 and Godot 4 both parse and run, like chat_logic.gd, which owns it.

var _members = []
# Paging a large room's list: the id of the last member listed, whether more are wanted, whether a page is asked for.
var _after = 0
var _wanted = false
var _asked = false

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

func remove(id):
	var kept = []
	for known in _members:
		if known["id"] != id:
			kept.append(known)
	_members = kept

# A rename keeps the member's place in the list.
func rename(id, new_name):
	for known in _members:
		if known["id"] == id:
			known["name"] = new_name
