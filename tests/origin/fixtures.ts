/**
 * Owns the origin tests' temp-dir fixtures (a served root beside a folder
 * outside it, with files, directories and symbolic links), a builder of
 * IncomingRequest for calling the handler directly, and reading a
 * handler's response body.
 *
 * Must not start servers: wire tests start the origin themselves.
 */

import { readAll } from "../../http/body.ts";
import { type Field, FieldList } from "../../http/headers.ts";
import type {
  HttpVersion,
  IncomingRequest,
  OutgoingResponse,
} from "../../http/types.ts";

/** A temp dir holding `root` (served) and `outside` (never served). */
export interface Fixture extends AsyncDisposable {
  dir: string;
  root: string;
  outside: string;
  /** The bytes of root/big.bin (larger than one read, streamed). */
  big: Uint8Array;
}

/** Size of root/big.bin: several 64 KiB reads plus a partial one. */
export const BIG_SIZE = 200_000;

/**
 * Makes the fixture tree:
 * root/1.txt "hello\n", root/empty.txt, root/data.json, root/big.bin,
 * root/é.txt, root/sub/{a <b>&.txt, q"uote.txt, dir2/},
 * root/withindex/index.html, root/evil/, root/link-in -> 1.txt,
 * root/link-out -> ../outside/secret.txt, root/linkdir-out -> ../outside,
 * outside/secret.txt.
 */
export async function makeFixture(): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-origin-" });
  const root = `${dir}/root`;
  const outside = `${dir}/outside`;
  await Deno.mkdir(root);
  await Deno.mkdir(outside);
  await Deno.writeTextFile(`${outside}/secret.txt`, "secret\n");
  await Deno.writeTextFile(`${root}/1.txt`, "hello\n");
  await Deno.writeTextFile(`${root}/empty.txt`, "");
  await Deno.writeTextFile(`${root}/data.json`, '{"a":1}\n');
  await Deno.writeTextFile(`${root}/é.txt`, "accent\n");
  const big = new Uint8Array(BIG_SIZE);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 8)) & 0xff;
  await Deno.writeFile(`${root}/big.bin`, big);
  await Deno.mkdir(`${root}/sub/dir2`, { recursive: true });
  await Deno.writeTextFile(`${root}/sub/a <b>&.txt`, "tricky\n");
  await Deno.writeTextFile(`${root}/sub/q"uote.txt`, "quote\n");
  await Deno.mkdir(`${root}/withindex`);
  await Deno.writeTextFile(`${root}/withindex/index.html`, "<p>index</p>\n");
  await Deno.mkdir(`${root}/evil`);
  await Deno.symlink("1.txt", `${root}/link-in`);
  await Deno.symlink("../outside/secret.txt", `${root}/link-out`);
  await Deno.symlink("../outside", `${root}/linkdir-out`);
  return {
    dir,
    root,
    outside,
    big,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** What a test may set on a request. */
export interface RequestOptions {
  method?: string;
  headers?: Field[];
  version?: HttpVersion;
  receivedAt?: number;
}

/** An IncomingRequest as the http/ server would hand it to the handler. */
export function request(
  target: string,
  options: RequestOptions = {},
): IncomingRequest {
  const headers = new FieldList([["Host", "origin.test"]]);
  for (const [name, value] of options.headers ?? []) {
    headers.append(name, value);
  }
  return {
    head: {
      method: options.method ?? "GET",
      target,
      version: options.version ?? "HTTP/1.1",
      headers,
    },
    body: {
      length: 0,
      read: () => Promise.resolve(null),
      trailers: () => undefined,
      cancel: () => Promise.resolve(),
    },
    remoteAddr: "127.0.0.1",
    receivedAt: options.receivedAt ?? Date.now(),
    sendInterim: () => Promise.resolve(),
  };
}

/** The whole body of a handler's response (reading a reader to its end). */
export async function bodyBytes(res: OutgoingResponse): Promise<Uint8Array> {
  const body = res.body;
  if (body === null || body === undefined) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  return await readAll(body, 64 * 1024 * 1024);
}

/** The body as UTF-8 text. */
export async function bodyText(res: OutgoingResponse): Promise<string> {
  return new TextDecoder().decode(await bodyBytes(res));
}

/** Releases a response body the test does not read (closes its file). */
export async function discard(res: OutgoingResponse): Promise<void> {
  const body = res.body;
  if (body && !(body instanceof Uint8Array)) await body.cancel();
}
