/**
 * Owns CONNECT tunnels (RFC 9110 §9.3.6): relaying bytes both ways between
 * the client and the target until both sides are done, passing a half
 * close on (one side's end of input becomes a write shutdown on the
 * other), and closing both when the tunnel sits idle too long.
 *
 * Must not look inside the bytes: a tunnel is opaque (usually TLS).
 */

import { FieldList } from "../http/headers.ts";
import type { OutgoingResponse } from "../http/types.ts";
import { writeAll } from "../http/writer.ts";
import { errorResponse } from "./errors.ts";
import { failureStatus, UpstreamError } from "./upstream/errors.ts";
import type { Stats } from "./stats.ts";
import { connectWithTimeout } from "./upstream/conn.ts";
import { closeQuietly } from "../http/close.ts";
import { RELAY_BUFFER } from "../cache/limits.ts";

/**
 * Relays between `client` (whose already-received bytes are `buffered`)
 * and `target` until both directions ended, either side failed, or no
 * byte moved for `idleTimeoutMs`. Closes both connections. Returns the
 * bytes moved each way.
 */
async function relayTunnel(
  ends: { client: Deno.Conn; buffered: Uint8Array; target: Deno.TcpConn },
  idleTimeoutMs: number,
): Promise<{ up: number; down: number }> {
  const { client, buffered, target } = ends;
  let lastActivity = Date.now();
  const touch = () => (lastActivity = Date.now());
  const closeBoth = () => {
    closeQuietly(client);
    closeQuietly(target);
  };
  const idleCheck = setInterval(() => {
    if (Date.now() - lastActivity > idleTimeoutMs) closeBoth();
  }, Math.max(10, Math.min(1000, idleTimeoutMs / 4)));
  try {
    if (buffered.length > 0) await writeAll(target, buffered);
    const [up, down] = await Promise.all([
      pump({ from: client, to: target }, { touch, abort: closeBoth }),
      pump({ from: target, to: client }, { touch, abort: closeBoth }),
    ]);
    return { up: up + buffered.length, down };
  } catch {
    return { up: 0, down: 0 };
  } finally {
    clearInterval(idleCheck);
    closeBoth();
  }
}

/** Copies from one side to the other; on end of input, shuts the other's writing. */
async function pump(
  way: { from: Deno.Conn; to: Deno.Conn },
  on: { touch: () => void; abort: () => void },
): Promise<number> {
  const { from, to } = way;
  const { touch, abort } = on;
  const buf = new Uint8Array(RELAY_BUFFER);
  let moved = 0;
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null) break;
      touch();
      await writeAll(to, buf.subarray(0, n));
      moved += n;
    }
    await to.closeWrite().catch(() => abort());
  } catch {
    abort(); // a reset or a close on either side ends the whole tunnel
  }
  return moved;
}

/**
 * Connects to the CONNECT target (`now`: the request's time, for an
 * error's Date) and answers 200 with the relay as upgrade, or 502/504.
 */
export async function openTunnel(
  proxy: {
    config: { connectTimeoutMs: number; idleTimeoutMs: number };
    stats: Stats;
  },
  to: { host: string; port: number; now: number },
): Promise<OutgoingResponse> {
  const { config, stats } = proxy;
  let target: Deno.TcpConn;
  try {
    target = await connectWithTimeout(to, config.connectTimeoutMs);
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    stats.count(`errors.${e.failure}`);
    return errorResponse(failureStatus(e.failure), {
      reason: e.message,
      now: to.now,
    });
  }
  stats.count("tunnels");
  return {
    status: 200,
    reason: "Connection Established",
    headers: new FieldList(),
    upgrade: async (client, buffered) => {
      await relayTunnel({ client, buffered, target }, config.idleTimeoutMs);
    },
  };
}
