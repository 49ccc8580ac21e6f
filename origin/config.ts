/**
 * Owns the validated settings of the origin server, as main.ts builds
 * them from the command line.
 *
 * Must not parse flags (main.ts does) nor hold behaviour.
 */

import type { LabScript } from "./lab/script.ts";

/** The settings of a running origin. */
export interface OriginConfig {
  /** Address to bind (127.0.0.1 unless --host says otherwise). */
  host: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Absolute path of the folder served; checked to exist. */
  root: string;
  /** The Cache-Control value sent with every response ("no-cache" by default). */
  cacheControl: string;
  /** Time allowed to receive a request head (ms). */
  headTimeoutMs: number;
  /** Time a keep-alive connection may sit idle (ms). */
  idleTimeoutMs: number;
  /** The origin's clock (ms since the epoch) for every Date it sends; Date.now by default. */
  now?: () => number;
  /** Present: the /lab/ routes, per-path counters and the log; `script` answers scripted paths first. */
  lab?: { script?: LabScript };
  /** Receives access-log lines; undefined turns logging off. */
  log?: (line: string) => void;
}
