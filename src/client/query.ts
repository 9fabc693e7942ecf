/** A query parameter's value as a program may give it; undefined, null, false and [] are left out. */
export type QueryValue = string | number | boolean | readonly (string | number)[] | null | undefined;
export type QueryParams = Readonly<Record<string, QueryValue>>;

/** Query parameters as the API reads them: arrays become comma lists, `true` becomes 'true'. */
export function toSearchParams(params: QueryParams = {}): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === false) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) search.set(name, value.join(','));
    } else search.set(name, String(value));
  }
  return search;
}

/** The server's base URL joined with an API path (the base may carry a path prefix) and a query. */
export function buildUrl(base: URL, path: string, params?: QueryParams): URL {
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  url.search = toSearchParams(params).toString();
  return url;
}

const SECRET_PARAM = /token|secret|password|passwd|api_?key|auth|signature|credential/i;

/** The URL as it may appear in errors and traces: secret-looking query values redacted. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  for (const name of [...copy.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) copy.searchParams.set(name, 'REDACTED');
  }
  return copy.href;
}
