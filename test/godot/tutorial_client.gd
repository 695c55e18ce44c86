# A chat client written to the Godot 3 WebSocket chat tutorial, run headless by test/e2e/godot.test.ts:
#   godot3-server --no-window -s tutorial_client.gd --url=ws://127.0.0.1:8787 --name=godot --say=hello --until=bye
# It connects, sends the tutorial's packets exactly as the tutorial does (put_packet: binary frames), prints every
# packet it receives as "RECV <message>" and quits once a chat message containing --until arrives.
extends SceneTree

var _client = WebSocketClient.new()
var _options = {}
var _deadline = 0
var _done = false

func _init():
	for arg in OS.get_cmdline_args():
		if arg.begins_with("--") and arg.find("=") > 0:
			var pair = arg.substr(2).split("=", true, 1)
			_options[pair[0]] = pair[1]
	_client.connect("connection_closed", self, "_closed")
	_client.connect("connection_error", self, "_closed")
	_client.connect("connection_established", self, "_connected")
	_client.connect("data_received", self, "_on_data")
	_deadline = OS.get_ticks_msec() + 20000
	var err = _client.connect_to_url(_options["url"])
	if err != OK:
		print("ERROR connect ", err)
		quit(1)

func _send(packet):
	_client.get_peer(1).put_packet(JSON.print(packet).to_utf8())

func _connected(_protocol = ""):
	print("CONNECTED")
	_send({"type": "test", "test": "test message"})
	_send({"type": "user_joined", "name": _options["name"]})
	_send({"type": "chat_message", "name": _options["name"], "message": _options["say"]})

func _on_data():
	var packet = JSON.parse(_client.get_peer(1).get_packet().get_string_from_utf8()).result
	print("RECV ", packet["type"], " ", packet.get("name", ""), ": ", packet["message"])
	if packet["type"] == "chat_message" and packet["message"].find(_options["until"]) >= 0:
		_done = true
		_client.disconnect_from_host(1000, "done")
		print("DONE")
		quit(0)

func _closed(was_clean = false):
	print("CLOSED ", was_clean)
	# quit() takes effect at the end of the frame, so our own disconnect can report back before the exit.
	if not _done:
		quit(2)

func _idle(_delta):
	_client.poll()
	if OS.get_ticks_msec() > _deadline:
		print("TIMEOUT")
		quit(3)
	return false
