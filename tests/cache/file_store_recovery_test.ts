import assert from "../helpers/assert.ts";
import { type EntryMeta, META_VERSION } from "../../cache/meta.ts";
import {
  countingIds,
  type FileFixture,
  fileFixture,
  filesOf,
  pathIn,
} from "./file_fixture.ts";
import { bodyBytes, bodyOf, draft, only, put } from "./store_helpers.ts";

const KEY = "http://r.example/entry";

/** A closed-down store holding one entry (body id0001), and that entry. */
async function seeded(): Promise<{ fixture: FileFixture; meta: EntryMeta }> {
  const fixture = await fileFixture({
    newWriteId: countingIds(),
    memoryBytes: 0,
  });
  const meta = await put(fixture.store, draft(KEY), bodyBytes(1000, 1));
  await fixture.store.close();
  return { fixture, meta };
}

const corruptions: [string, (dir: string, meta: EntryMeta) => Promise<void>][] =
  [
    ["a corrupt metadata file", (dir) => writeMeta(dir, "\u0000{not json")],
    ["a truncated metadata file", async (dir, meta) => {
      await writeMeta(dir, JSON.stringify(meta).slice(0, 60));
    }],
    [
      "metadata of another version",
      (dir, meta) =>
        writeMeta(dir, JSON.stringify({ ...meta, version: META_VERSION + 1 })),
    ],
    [
      "a foreign JSON file",
      (dir) => writeMeta(dir, '{"name":"left-pad","version":1}'),
    ],
    [
      "metadata whose key belongs to another folder",
      (dir, meta) =>
        writeMeta(
          dir,
          JSON.stringify({ ...meta, key: "http://r.example/elsewhere" }),
        ),
    ],
    [
      "metadata of another variant",
      (dir, meta) =>
        writeMeta(dir, JSON.stringify({ ...meta, vary: [["accept", "x"]] })),
    ],
    ["a body longer than its metadata says", async (dir, meta) => {
      await Deno.writeFile(pathIn(dir, KEY, meta.bodyFile), new Uint8Array(1), {
        append: true,
      });
    }],
    [
      "a body shorter than its metadata says",
      (dir, meta) => Deno.truncate(pathIn(dir, KEY, meta.bodyFile), 999),
    ],
    [
      "a missing body",
      (dir, meta) => Deno.remove(pathIn(dir, KEY, meta.bodyFile)),
    ],
  ];

function writeMeta(dir: string, text: string): Promise<void> {
  return Deno.writeTextFile(pathIn(dir, KEY, "default.json"), text);
}

for (const [what, damage] of corruptions) {
  Deno.test(`FileStore.open() removes and counts ${what}`, async () => {
    const { fixture, meta } = await seeded();
    try {
      await damage(fixture.dir, meta);
      const store = await fixture.reopen();
      assert.deepEqual(store.variants(KEY), []);
      assert.equal(store.stats.corruptRemoved, 1);
      assert.equal(store.stats.entries, 0);
      assert.equal(await store.openBody(meta), undefined);
      assert.deepEqual(
        await filesOf(fixture.dir, KEY),
        [],
        "files left behind",
      );
    } finally {
      await fixture.dispose();
    }
  });
}

Deno.test("FileStore.open() removes leftover temp files and orphan bodies", async () => {
  const { fixture, meta } = await seeded();
  try {
    const litter = [
      "default-id0100.body.tmp",
      "default-id0101.json.tmp",
      "default-id0102.body",
    ];
    for (const name of litter) {
      await Deno.writeTextFile(pathIn(fixture.dir, KEY, name), "x");
    }
    const store = await fixture.reopen();
    assert.deepEqual(store.startupCleanup, {
      tempFiles: 2,
      orphanBodies: 1,
      oldFolders: 0,
    });
    assert.equal(store.stats.corruptRemoved, 0);
    assert.deepEqual(
      await bodyOf(store, await only(store, meta)),
      bodyBytes(1000, 1),
    );
    assert.deepEqual(await filesOf(fixture.dir, KEY), [
      meta.bodyFile,
      "default.json",
    ]);
  } finally {
    await fixture.dispose();
  }
});

/**
 * The states a process killed while replacing the entry (v1, id0001) by
 * v2 (body id0009, metadata temp id0010) leaves behind, and the version
 * that must be served after it.
 */
const crashes: [
  string,
  number,
  (dir: string, v2: EntryMeta) => Promise<void>,
][] = [
  ["while the body streamed", 1, async (dir) => {
    await Deno.writeFile(
      pathIn(dir, KEY, "default-id0009.body.tmp"),
      bodyBytes(700, 2),
    );
  }],
  ["after the body was renamed", 1, async (dir) => {
    await Deno.writeFile(
      pathIn(dir, KEY, "default-id0009.body"),
      bodyBytes(1500, 2),
    );
  }],
  ["after the metadata temp file was written", 1, async (dir, v2) => {
    await Deno.writeFile(
      pathIn(dir, KEY, "default-id0009.body"),
      bodyBytes(1500, 2),
    );
    await Deno.writeTextFile(
      pathIn(dir, KEY, "default-id0010.json.tmp"),
      JSON.stringify(v2),
    );
  }],
  ["after the switch, before the old body was deleted", 2, async (dir, v2) => {
    await Deno.writeFile(
      pathIn(dir, KEY, "default-id0009.body"),
      bodyBytes(1500, 2),
    );
    await Deno.writeTextFile(
      pathIn(dir, KEY, "default.json"),
      JSON.stringify(v2),
    );
  }],
];

for (const [when, served, crash] of crashes) {
  Deno.test(`FileStore.open() serves a whole version after a crash ${when}`, async () => {
    const { fixture, meta } = await seeded();
    try {
      const v2: EntryMeta = {
        ...meta,
        freshUntil: 8_000,
        bodySize: 1500,
        bodyFile: "default-id0009.body",
      };
      await crash(fixture.dir, v2);
      const store = await fixture.reopen();
      const found = await only(store, meta);
      assert.deepEqual(found, served === 1 ? meta : v2);
      const expected = served === 1 ? bodyBytes(1000, 1) : bodyBytes(1500, 2);
      assert.deepEqual(await bodyOf(store, found), expected);
      assert.equal(store.stats.corruptRemoved, 0);
      assert.deepEqual(await filesOf(fixture.dir, KEY), [
        found.bodyFile,
        "default.json",
      ]);
    } finally {
      await fixture.dispose();
    }
  });
}

Deno.test("FileStore.open() leaves files it does not own alone", async () => {
  const { fixture } = await seeded();
  try {
    await Deno.writeTextFile(`${fixture.dir}/README`, "mine");
    await Deno.mkdir(`${fixture.dir}/zz`);
    const store = await fixture.reopen();
    assert.equal(store.stats.entries, 1);
    assert.equal(await Deno.readTextFile(`${fixture.dir}/README`), "mine");
    assert.ok((await Deno.stat(`${fixture.dir}/zz`)).isDirectory);
  } finally {
    await fixture.dispose();
  }
});
