// The node's public types (src/node/types.ts) name Node's Buffer for AddOptions.metainfo, which the page never
// sends (over JSON-RPC the metainfo is base64); in a browser those are plain bytes.
type Buffer = Uint8Array;
