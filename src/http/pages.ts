/** Small HTML pages for the statuses a person may see in a browser; no scripts, one inline style. */

export const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large',
  416: 'Range Not Satisfiable', 500: 'Internal Server Error',
};

const EXPLAIN: Record<number, string> = {
  400: 'The request could not be understood.',
  401: 'This server needs a user name and password.',
  403: 'You may not access this path.',
  404: 'Nothing is here: check the address, or go back to the listing.',
  405: 'This server does not accept that method here.',
  409: 'The folder for this upload does not exist.',
  411: 'An upload needs a Content-Length or chunked body.',
  412: 'The file changed since you last saw it.',
  413: 'The upload is larger than this server accepts.',
  416: 'The requested byte range is outside the file.',
  500: 'The server failed while answering; the log has the detail.',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}' +
  'th,td{padding:.2em 1em;text-align:left}td.size{text-align:right}th a{color:inherit}tr:nth-child(even){background:#f4f4f4}';

/** A readable page for an error status. */
export function errorPage(status: number, path: string): string {
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>${PAGE_STYLE}</style></head>` +
    `<body><h1>${title}</h1><p>${EXPLAIN[status] ?? ''}</p><p><code>${escapeHtml(path)}</code></p>` +
    `<p><a href="/">Back to the top folder</a></p></body></html>\n`;
}
