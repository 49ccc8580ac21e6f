/**
 * Owns the shape every admin endpoint is written to: a handler of a
 * web-standard `Request` (the admin listener runs on `Deno.serve`, outside
 * the proxy's own wire layer: it serves people and tools, not HTTP
 * traffic to be cached) that answers a `Response`.
 *
 * Must not know which endpoints exist: the admin server (admin/server.ts)
 * maps paths to handlers.
 */

/**
 * Answers one admin request. `url` is the request's URL, already parsed.
 * Throws nothing on bad input: a bad query gets a 400 with a JSON body
 * `{"error": "Cannot X: reason"}`.
 */
export type AdminHandler = (
  request: Request,
  url: URL,
) => Response | Promise<Response>;

/** A handler per method and path, e.g. `{ "GET /metrics": handler }`. */
export type AdminRoutes = Readonly<Record<string, AdminHandler>>;
