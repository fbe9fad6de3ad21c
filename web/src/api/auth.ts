// The token of a daemon without --rpc-auth. The daemon prints `…/#token=T`: the page takes it from the fragment
// once (a fragment never reaches a server or a log), keeps it in sessionStorage (gone with the tab) and removes it
// from the address bar so it is not bookmarked or shared with a screenshot. With --rpc-auth the browser sends
// Basic credentials itself and there is no token.
const KEY = 'tandem.token';

export function takeTokenFromUrl(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim());
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
