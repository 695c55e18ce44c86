# Godot 4's editor plugin: enabling "Edge Chat" registers the autoload EdgeChat (edge_chat.gd). On Godot 3, add
# edge_chat_godot3.gd as an autoload named EdgeChat by hand (see README.md).
@tool
extends EditorPlugin

const AUTOLOAD = "EdgeChat"

func _enter_tree() -> void:
	add_autoload_singleton(AUTOLOAD, "res://addons/edge_chat/edge_chat.gd")

func _exit_tree() -> void:
	remove_autoload_singleton(AUTOLOAD)
