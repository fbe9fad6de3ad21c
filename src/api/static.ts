import { readFile, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

const NOT_BUILT = '<!doctype html><meta charset="utf-8"><title>tandem</title><p>The web UI is not built: run <code>npm run build</code>. The API is at <code>/api/rpc</code> and <code>/transmission/rpc</code>.</p>';

/**
 * The web UI's files from its build folder: `/` is index.html; only plain names inside the folder are served
 * (no dot segments, no hidden files), and a file that resolves outside the folder is 404.
 */
export async function serveStatic(root: string | undefined, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = path === '/' ? 'index.html' : decodeURIComponentSafe(path.slice(1));
  const headers = { 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'", 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };
  if (!root) {
    res.writeHead(name === 'index.html' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT);
    return;
  }
  if (name === undefined || name.split('/').some((seg) => seg === '' || seg.startsWith('.')) || name.includes('\\') || name.includes('\0')) return notFound(res);
  let body: Buffer;
  try {
    const full = await realpath(join(root, name));
    const base = await realpath(root);
    if (!full.startsWith(base + sep)) return notFound(res);
    body = await readFile(full);
  } catch {
    // An unknown path of the single-page app gets the page itself.
    if (extname(name) !== '') return notFound(res);
    return serveStatic(root, '/', req, res);
  }
  res.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': name === 'index.html' ? 'no-cache' : 'max-age=3600', ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found');
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
