/**
 * The node's faces over HTTP: Transmission's RPC (`/transmission/rpc`), tandem's JSON-RPC (`/api/rpc`), the event
 * WebSocket (`/api/events`), Prometheus metrics (`/metrics`) and the web UI (`/`), on one listener.
 *
 * @example
 *   const api = new ApiServer(node, { host: '127.0.0.1', port: 9091, auth: { token: newToken() } });
 *   const { url } = await api.start();
 */
export { ApiServer, API_LIMITS, type ApiServerInit } from './server.js';
export { newToken, authorize, isLoopbackHostName, hostOf, type ApiAuth } from './security.js';
export { EventLog, type StreamEvent } from './event-log.js';
export { answerBody, answerOne, METHODS, JSONRPC_ERRORS } from './jsonrpc.js';
