# Loads every script and scene under a folder, as a project that uses them would, and instances each scene (without
# adding it to the tree, so nothing runs). Run headless by test/e2e/godot-quick-start.test.ts:
#   godot3-server --no-window --path <project> -s res://load_addon.gd --folder=res://addons/edge_chat_godot3
# Prints "LOADED <path>" for each file that loads, "FAILED <path>" for each that does not, then "LOADED <n> FILES".
extends SceneTree

var _loaded = 0

func _init():
	var folder = ""
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--folder="):
			folder = arg.substr("--folder=".length())
	_load_under(folder)
	print("LOADED %d FILES" % _loaded)
	quit(0)

func _load_under(folder):
	var dir = Directory.new()
	dir.open(folder)
	dir.list_dir_begin(true, true)
	var entry = dir.get_next()
	while entry != "":
		var path = folder + "/" + entry
		if dir.current_is_dir():
			_load_under(path)
		elif entry.ends_with(".gd") or entry.ends_with(".tscn"):
			_load(path)
		entry = dir.get_next()

func _load(path):
	var resource = load(path)
	var ok = resource != null
	if ok and resource is GDScript:
		ok = resource.can_instance()
	elif ok:
		var scene = resource.instance()
		ok = scene != null
		if scene != null:
			scene.free()
	print("LOADED " if ok else "FAILED ", path)
	if ok:
		_loaded += 1
