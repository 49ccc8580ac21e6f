/**
 * Owns how the admin listener writes JSON: a body with its Content-Type,
 * and an error as `{"error": "Cannot X: reason"}` with its status.
 *
 * Must not know which endpoint answers.
 */

/** A JSON response (`Cache-Control: no-store`: admin answers are never cached). */
export function jsonResponse(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
    },
  });
}

/** An error as `{"error": message}`; `message` reads "Cannot X: reason". */
export function jsonError(status: number, message: string): Response {
  return jsonResponse({ error: message }, status);
}
