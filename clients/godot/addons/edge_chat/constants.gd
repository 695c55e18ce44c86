# Written by tools/client-constants.ts from src/client/constants.ts and src/shared/close-codes.ts
# (and the room's default limits, src/shared/protocol.ts): do not edit; `npm run gen:clients` after changing those.
# test/unit/tools/client-constants.test.ts fails while this file is stale. The same in both addon folders.

# The numbers of the clients' connection rules (clients/spec/constants.json; what each is: src/client/constants.ts).
const BACKOFF_BASE_MS = 500
const BACKOFF_MAX_MS = 30000
const BACKOFF_MAX_ATTEMPTS = 30
const PING_INTERVAL_MS = 25000
const ANSWER_TIMEOUT_MS = 10000
const REFUSAL_CHECK_MS = 1000
const BURST_MARGIN = 1
const GODOT_MAX_FRAME_BYTES = 65535
const CID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
const CID_LENGTH = 16

# The room's limits until its welcome says them.
const DEFAULT_LIMITS = {
	"maxNameChars": 32,
	"maxMessageChars": 2000,
	"maxFrameBytes": 16384,
	"maxServerFrameBytes": 60000,
	"rateLimitBurst": 10,
	"rateLimitPerSecond": 5,
	"rateLimitBytesPerToken": 4096,
	"historyPageMax": 200,
	"membersPageMax": 500,
	"maxDataBytes": 2048,
	"maxReactionsPerMessage": 20,
	"editWindowSeconds": 0,
}

# The codes the room closes connections with. After one that is not to `reconnect`, a client stops (removed); but
# after CLOSE_TOKEN_EXPIRED one that can get a new token comes straight back in with it.
const CLOSE_POLICY = 1008
const CLOSE_TOO_BIG = 1009
const CLOSE_RESTART = 1012
const CLOSE_KICKED = 4001
const CLOSE_ROOM_DELETED = 4002
const CLOSE_BANNED = 4003
const CLOSE_TIMEOUT = 4008
const CLOSE_REPLACED = 4009
const CLOSE_TOKEN_EXPIRED = 4010
const CLOSE_CODES = {
	1008: {"name": "policy", "reconnect": true, "meaning": "the connection flooded the room past its rate limit"},
	1009: {"name": "too_big", "reconnect": true, "meaning": "a frame was larger than the room takes"},
	1012: {"name": "restart", "reconnect": true, "meaning": "the room restarted; connect again"},
	4001: {"name": "kicked", "reconnect": false, "meaning": "a moderator removed the member"},
	4002: {"name": "room_deleted", "reconnect": false, "meaning": "the room was deleted"},
	4003: {"name": "banned", "reconnect": false, "meaning": "a moderator banned the member"},
	4008: {"name": "timeout", "reconnect": true, "meaning": "no join in time, or a member silent too long"},
	4009: {"name": "replaced", "reconnect": false, "meaning": "a rejoin of the same member (its resume key) from another connection replaced this one"},
	4010: {"name": "token_expired", "reconnect": false, "meaning": "the member's token expired; come back only with a new one"},
}
