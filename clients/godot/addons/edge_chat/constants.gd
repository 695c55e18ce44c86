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
	"maxStateBytes": 512,
	"stateIntervalMs": 1000,
	"typingIntervalMs": 3000,
	"typingTimeoutMs": 6000,
	"typingMaxMembers": 200,
	"presenceListMax": 1000,
	"presenceSummaryMs": 1000,
}

# The codes the room closes connections with. After one that is not to `reconnect`, a client stops (removed); but
# after CLOSE_TOKEN_EXPIRED one that can get a new token comes straight back in with it.
const CLOSE_FLOODING = 1008
const CLOSE_FRAME_TOO_BIG = 1009
const CLOSE_ROOM_RESTARTED = 1012
const CLOSE_KICKED = 4001
const CLOSE_ROOM_DELETED = 4002
const CLOSE_BANNED = 4003
const CLOSE_TIMEOUT = 4008
const CLOSE_REPLACED = 4009
const CLOSE_TOKEN_EXPIRED = 4010
const CLOSE_CODES = {
	1008: {"name": "flooding", "reconnect": true, "meaning": "policy violation: too many frames refused by the rate limit within one second (the room's flood limit). Reconnect with backoff, and send slower."},
	1009: {"name": "frame_too_big", "reconnect": true, "meaning": "a frame over limits.maxFrameBytes. Reconnect with backoff; never send such a frame again."},
	1012: {"name": "room_restarted", "reconnect": true, "meaning": "a room spread over several objects restarted and lost track of this connection. Reconnect at once (then with backoff), resuming with since and resume."},
	4001: {"name": "kicked", "reconnect": false, "meaning": "a moderator removed the member (an error `kicked` with the reason comes first). Do not reconnect by yourself; the user may rejoin."},
	4002: {"name": "room_deleted", "reconnect": false, "meaning": "the room's admin deleted the room (DELETE /api/rooms/<name>). Do not reconnect."},
	4003: {"name": "banned", "reconnect": false, "meaning": "a moderator banned the member (an error `banned` with the reason comes first); a new connection is refused with HTTP 403 while the ban lasts. Do not reconnect."},
	4008: {"name": "timeout", "reconnect": true, "meaning": "the connection overstayed, as HTTP 408: no join within JOIN_TIMEOUT_SECONDS, or a member that pings went silent for MEMBER_SILENCE_SECONDS. Reconnect with backoff, resuming with since and resume."},
	4009: {"name": "replaced", "reconnect": false, "meaning": "the same member joined again with this connection's resume key (another tab or device, or its own reconnect). Never reconnect by yourself: the two connections would knock each other out forever."},
	4010: {"name": "token_expired", "reconnect": false, "meaning": "a verified member's token expired (its exp passed, beyond the clock skew allowed), connected or before its join. Get a new token and connect again at once, resuming with since and resume; without a new one, do not reconnect."},
}
