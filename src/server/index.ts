// What the runtime loads (wrangler.toml `main`): the Worker's fetch handler and the three Durable Object classes,
// nothing else. The Worker is the front door (front-door/worker.ts); a room is one ChatRoom, and a room too big for
// one object also has RoomShards (docs/scaling.md); the rooms that chose to be listed are in the RoomDirectory.

export { RoomDirectory } from "./directory/directory";
export { default } from "./front-door/worker";
export { ChatRoom } from "./room/room";
export { RoomShard } from "./shards/shard";
