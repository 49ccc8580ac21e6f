/**
 * Owns the HTML listing of a directory that has no index.html: entries
 * read from the file system, names HTML-escaped, links percent-encoded
 * and relative to the directory URL (which ends in "/").
 *
 * Must not resolve paths (paths.ts) nor build responses (handler.ts).
 */

/** One name in a directory. */
export interface ListingEntry {
  name: string;
  isDirectory: boolean;
}

/** More entries than this are cut, with a note, to bound the page size. */
export const MAX_LISTING_ENTRIES = 10_000;

/** Reads the entries of a directory, directories first, then by name. */
export async function readListing(realPath: string): Promise<ListingEntry[]> {
  const entries: ListingEntry[] = [];
  for await (const entry of Deno.readDir(realPath)) {
    entries.push({ name: entry.name, isDirectory: entry.isDirectory });
  }
  entries.sort((a, b) => {
    if (a.isDirectory !== b.isDirectory) return a.isDirectory ? -1 : 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  return entries;
}

/**
 * The listing page of the directory shown as `displayPath` (decoded,
 * ending in "/"). `atRoot` leaves out the link to the parent.
 */
export function renderListing(
  displayPath: string,
  entries: ListingEntry[],
  atRoot: boolean,
): string {
  const title = `Index of ${escapeHtml(displayPath)}`;
  const items: string[] = [];
  if (!atRoot) items.push(`<li><a href="../">../</a></li>`);
  for (const entry of entries.slice(0, MAX_LISTING_ENTRIES)) {
    const suffix = entry.isDirectory ? "/" : "";
    const href = encodeURIComponent(entry.name) + suffix;
    items.push(
      `<li><a href="${href}">${escapeHtml(entry.name)}${suffix}</a></li>`,
    );
  }
  if (entries.length > MAX_LISTING_ENTRIES) {
    items.push(
      `<li>(${
        entries.length - MAX_LISTING_ENTRIES
      } more entries not shown)</li>`,
    );
  }
  return `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>${title}</title>\n</head>\n<body>\n<h1>${title}</h1>\n<ul>\n${
    items.join("\n")
  }\n</ul>\n</body>\n</html>\n`;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
