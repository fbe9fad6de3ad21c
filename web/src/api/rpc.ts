// JSON-RPC 2.0 over POST /api/rpc, same origin only (the daemon refuses cross-origin requests).
import { getToken } from './auth.js';
import type { Method, Methods } from './methods.js';

/** An error the daemon answered, with its stable code (`data.code`), e.g. NOT_FOUND. */
export class RpcError extends Error {
  constructor(message: string, readonly code: number, readonly stableCode: string | undefined) {
    super(message);
  }
}

/** 401: no token, a wrong one, or Basic credentials the browser does not have. */
export class AuthError extends Error {}

let nextId = 1;

function headers(): HeadersInit {
  const token = getToken();
  // Only with a token: an Authorization header of our own would replace the Basic credentials the browser sends
  // for a daemon with --rpc-auth.
  return token ? { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } : { 'Content-Type': 'application/json' };
}

interface Reply {
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string } };
}

export async function call<M extends Method>(method: M, params: Methods[M][0]): Promise<Methods[M][1]> {
  const id = nextId++;
  const res = await fetch('/api/rpc', {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    credentials: 'same-origin',
  });
  if (res.status === 401) throw new AuthError('the daemon wants a valid token');
  const reply = (await res.json().catch(() => null)) as Reply | null;
  if (!reply) throw new RpcError(`the daemon answered ${res.status} without JSON`, res.status, undefined);
  if (reply.error) throw new RpcError(reply.error.message, reply.error.code, reply.error.data?.code);
  return reply.result as Methods[M][1];
}
