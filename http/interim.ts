/**
 * Owns the interim (1xx) responses a server sends before its final
 * response (RFC 9110 §15.2): never to an HTTP/1.0 client, 100 Continue at
 * most once, and never a 101, which switches protocols and so is only
 * ever a final response that hands the connection over (RFC 9110
 * §15.2.2).
 *
 * Must not send final responses (connection.ts does).
 */

import { latin1Bytes } from "./bytes.ts";
import { FieldList } from "./headers.ts";
import { serializeResponseHead } from "./head.ts";
import { reasonPhrase } from "./status.ts";
import type { HttpVersion } from "./types.ts";
import { type ByteSink, writeAll } from "./writer.ts";

/**
 * True for a status a server may send as an interim response: 100 and
 * 102 to 199 (RFC 9110 §15.2). 101 is not one: after it the connection
 * no longer carries HTTP/1.1 (RFC 9110 §15.2.2).
 */
export function isInterimStatus(status: number): boolean {
  return status >= 100 && status < 200 && status !== 101;
}

/** Sends the interim responses of one request. */
export class InterimSender {
  #sink: ByteSink;
  #version: HttpVersion;
  #continueSent = false;

  constructor(sink: ByteSink, requestVersion: HttpVersion) {
    this.#sink = sink;
    this.#version = requestVersion;
  }

  /** True once 100 Continue went out. */
  get continueSent(): boolean {
    return this.#continueSent;
  }

  /**
   * Writes an interim response; nothing for an HTTP/1.0 client, nothing
   * for a second 100. Throws an Error for a status that is not interim
   * (isInterimStatus): a handler bug, never written.
   */
  async send(status: number, fields?: FieldList): Promise<void> {
    if (!isInterimStatus(status)) {
      throw new Error(`Cannot send ${status} as an interim response`);
    }
    if (this.#version !== "HTTP/1.1") return; // RFC 9110 §15.2: never 1xx to HTTP/1.0
    if (status === 100) {
      if (this.#continueSent) return;
      this.#continueSent = true;
    }
    const text = serializeResponseHead({
      version: "HTTP/1.1",
      status,
      reason: reasonPhrase(status),
      headers: fields ?? new FieldList(),
    });
    await writeAll(this.#sink, latin1Bytes(text));
  }
}
