# Godot 4's editor plugin: enabling "Edge Chat" registers the autoload EdgeChat (edge_chat.gd). Godot 3 uses
# addons/edge_chat_godot3 instead: each engine's folder holds only scripts its own parser takes.
@tool
extends EditorPlugin

const AUTOLOAD = "EdgeChat"

# On enabling and disabling, not on entering and leaving the tree: closing the editor keeps the autoload.
func _enable_plugin() -> void:
	add_autoload_singleton(AUTOLOAD, "res://addons/edge_chat/edge_chat.gd")

func _disable_plugin() -> void:
	remove_autoload_singleton(AUTOLOAD)
