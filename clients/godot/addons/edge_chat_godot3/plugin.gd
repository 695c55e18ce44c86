# Godot 3's editor plugin: enabling "Edge Chat" registers the autoload EdgeChat (edge_chat_godot3.gd). Godot 4 uses
# addons/edge_chat instead: each engine's folder holds only scripts its own parser takes.
tool
extends EditorPlugin

const AUTOLOAD = "EdgeChat"

# On enabling and disabling, not on entering and leaving the tree: closing the editor keeps the autoload (and leaks
# nothing, as removing it at exit did).
func enable_plugin():
	add_autoload_singleton(AUTOLOAD, "res://addons/edge_chat_godot3/edge_chat_godot3.gd")

func disable_plugin():
	remove_autoload_singleton(AUTOLOAD)
