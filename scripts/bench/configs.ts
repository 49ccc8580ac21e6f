/**
 * Owns turning the templates in scripts/bench/configs/ (nginx, Varnish
 * VCL, Squid) into config files: `{{NAME}}` placeholders are replaced by
 * values, and a placeholder without a value is an error.
 *
 * Must not start servers or choose the values (proxies.ts does).
 */

import { fileURLToPath } from "node:url";

/** The folder of the templates. */
export const CONFIGS_DIR = fileURLToPath(
  new URL("./configs/", import.meta.url),
);

const PLACEHOLDER = /\{\{([A-Z_]+)\}\}/g;

/** `template` with every `{{NAME}}` replaced by `values[NAME]`. */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, string | number>>,
  name = "template",
): string {
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) {
      missing.add(key);
      return whole;
    }
    return String(value);
  });
  if (missing.size > 0) {
    throw new Error(
      `Cannot render ${name}: no value for ${
        [...missing].map((k) => `{{${k}}}`).join(", ")
      }`,
    );
  }
  return text;
}

/** Renders the template file `file` of configs/ into `target`. */
export async function renderConfigFile(
  file: string,
  values: Readonly<Record<string, string | number>>,
  target: string,
): Promise<void> {
  const template = await Deno.readTextFile(`${CONFIGS_DIR}${file}`);
  await Deno.writeTextFile(target, renderTemplate(template, values, file));
}
