// The one function azcp uses of proxy-from-env (which ships no types of its own).
declare module "proxy-from-env" {
  /** The proxy URL for a request to `url` from HTTPS_PROXY, HTTP_PROXY and NO_PROXY, or "". */
  export function getProxyForUrl(url: string | URL): string;
}
