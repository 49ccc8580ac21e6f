import assert from "../../helpers/assert.ts";
import {
  type LabScript,
  parseLabScript,
  scriptedResponse,
} from "../../../origin/lab/script.ts";

function parsed(json: unknown): LabScript {
  const result = parseLabScript(JSON.stringify(json));
  if (result.kind !== "ok") throw new Error(`refused: ${result.reason}`);
  return result.script;
}

Deno.test("parseLabScript() fills the defaults and keeps fields in order when a response gives little", () => {
  const script = parsed({
    rules: [{
      path: "/seq",
      responses: [
        {
          fields: {
            ETag: '"v1"',
            Vary: ["A", "B"],
            "Cache-Control": "max-age=5",
          },
        },
        { status: 304, delay: 250 },
        { status: 500, body: "broken", fault: "slow" },
      ],
    }],
  });
  assert.deepEqual(script.rules[0]!.responses, [
    {
      status: 200,
      fields: [["ETag", '"v1"'], ["Vary", "A"], ["Vary", "B"], [
        "Cache-Control",
        "max-age=5",
      ]],
      body: "",
      delay: 0,
    },
    { status: 304, fields: [], body: "", delay: 250 },
    { status: 500, fields: [], body: "broken", delay: 0, fault: "slow" },
  ]);
});

Deno.test("parseLabScript() accepts an empty rule list and every fault", () => {
  assert.deepEqual(parsed({ rules: [] }), { rules: [] });
  const script = parsed({
    rules: [{
      path: "/f/*",
      responses: [{ fault: "close" }, { fault: "rst" }],
    }],
  });
  assert.deepEqual(script.rules[0]!.responses.map((r) => r.fault), [
    "close",
    "rst",
  ]);
});

const BAD: [string, string, string][] = [
  [
    "a status out of range",
    '{"rules":[{"path":"/a","responses":[{"status":200},{"status":700}]}]}',
    "rules[0].responses[1].status: expected an integer from 200 to 599",
  ],
  [
    "a status that is a string",
    '{"rules":[{"path":"/a","responses":[{"status":"200"}]}]}',
    "rules[0].responses[0].status: expected an integer from 200 to 599",
  ],
  [
    "a fractional status",
    '{"rules":[{"path":"/a","responses":[{"status":200.5}]}]}',
    "rules[0].responses[0].status: expected an integer from 200 to 599",
  ],
  [
    "a status below 200",
    '{"rules":[{"path":"/a","responses":[{"status":199}]}]}',
    "rules[0].responses[0].status: expected an integer from 200 to 599",
  ],
  [
    "an unknown key at the top",
    '{"rules":[],"extra":1}',
    "(top).extra: unknown key (expected one of rules)",
  ],
  [
    "an unknown key in a rule",
    '{"rules":[{"path":"/a","responses":[{}],"method":"GET"}]}',
    "rules[0].method: unknown key (expected one of path, responses)",
  ],
  [
    "an unknown key in a response",
    '{"rules":[{"path":"/a","responses":[{"headers":{}}]}]}',
    "rules[0].responses[0].headers: unknown key (expected one of status, fields, body, delay, fault)",
  ],
  [
    "a top that is an array",
    "[]",
    '(top): expected an object {"rules": [...]}',
  ],
  ["rules that are not an array", '{"rules":{}}', "rules: expected an array"],
  ["no rules", "{}", "rules: expected an array"],
  [
    "a path without a slash",
    '{"rules":[{"path":"a","responses":[{}]}]}',
    'rules[0].path: expected a path starting with "/"',
  ],
  [
    "a path that is a number",
    '{"rules":[{"path":1,"responses":[{}]}]}',
    "rules[0].path: expected a string",
  ],
  [
    "a star inside the path",
    '{"rules":[{"path":"/a*/b","responses":[{}]}]}',
    'rules[0].path: expected a path without spaces, control characters, "?" or "#", "*" only at its end',
  ],
  [
    "a path with DEL",
    '{"rules":[{"path":"/a\\u007fb","responses":[{}]}]}',
    'rules[0].path: expected a path without spaces, control characters, "?" or "#", "*" only at its end',
  ],
  [
    "a path with a character above U+00FF",
    '{"rules":[{"path":"/\u20ac","responses":[{}]}]}',
    'rules[0].path: expected a path without spaces, control characters, "?" or "#", "*" only at its end',
  ],
  [
    "a null path",
    '{"rules":[{"path":null,"responses":[{}]}]}',
    "rules[0].path: expected a string",
  ],
  [
    "null fields",
    '{"rules":[{"path":"/a","responses":[{"fields":null}]}]}',
    "rules[0].responses[0].fields: expected an object of field names to strings or arrays of strings",
  ],
  [
    "a null fault",
    '{"rules":[{"path":"/a","responses":[{"fault":null}]}]}',
    'rules[0].responses[0].fault: expected "close", "rst" or "slow"',
  ],
  [
    "a null field value",
    '{"rules":[{"path":"/a","responses":[{"fields":{"Age":null}}]}]}',
    "rules[0].responses[0].fields.Age: expected a string or a non-empty array of strings",
  ],
  [
    "a name with a tab and a value of the wrong type",
    '{"rules":[{"path":"/a","responses":[{"fields":{"X\\tY":[1]}}]}]}',
    'rules[0].responses[0].fields."X\\tY": expected a string or a non-empty array of strings',
  ],
  [
    "a query in the path",
    '{"rules":[{"path":"/a?b","responses":[{}]}]}',
    'rules[0].path: expected a path without spaces, control characters, "?" or "#", "*" only at its end',
  ],
  [
    "no responses",
    '{"rules":[{"path":"/a","responses":[]}]}',
    "rules[0].responses: expected a non-empty array",
  ],
  [
    "a response that is a string",
    '{"rules":[{"path":"/a","responses":["x"]}]}',
    "rules[0].responses[0]: expected an object",
  ],
  [
    "a body that is a number",
    '{"rules":[{"path":"/a","responses":[{"body":1}]}]}',
    "rules[0].responses[0].body: expected a string",
  ],
  [
    "a delay past a minute",
    '{"rules":[{"path":"/a","responses":[{"delay":60001}]}]}',
    "rules[0].responses[0].delay: expected an integer from 0 to 60000 (ms)",
  ],
  [
    "a negative delay",
    '{"rules":[{"path":"/a","responses":[{"delay":-1}]}]}',
    "rules[0].responses[0].delay: expected an integer from 0 to 60000 (ms)",
  ],
  [
    "an unknown fault",
    '{"rules":[{"path":"/a","responses":[{"fault":"hang"}]}]}',
    'rules[0].responses[0].fault: expected "close", "rst" or "slow"',
  ],
  [
    "slow with no body",
    '{"rules":[{"path":"/a","responses":[{"fault":"slow"}]}]}',
    'rules[0].responses[0].fault: "slow" needs a non-empty body',
  ],
  [
    "fields that are an array",
    '{"rules":[{"path":"/a","responses":[{"fields":[]}]}]}',
    "rules[0].responses[0].fields: expected an object of field names to strings or arrays of strings",
  ],
  [
    "a field value that is a number",
    '{"rules":[{"path":"/a","responses":[{"fields":{"Age":1}}]}]}',
    "rules[0].responses[0].fields.Age: expected a string or a non-empty array of strings",
  ],
  [
    "an empty array of values",
    '{"rules":[{"path":"/a","responses":[{"fields":{"Vary":[]}}]}]}',
    "rules[0].responses[0].fields.Vary: expected a string or a non-empty array of strings",
  ],
  [
    "a framing field",
    '{"rules":[{"path":"/a","responses":[{"fields":{"Content-Length":"3"}}]}]}',
    "rules[0].responses[0].fields.Content-Length: field Content-Length is set by the server, not by a parameter",
  ],
  [
    "a value with LF",
    '{"rules":[{"path":"/a","responses":[{"fields":{"X":"a\\nb"}}]}]}',
    "rules[0].responses[0].fields.X: field X has CR, LF or NUL in its value",
  ],
  [
    "a value with a control character",
    '{"rules":[{"path":"/a","responses":[{"fields":{"X":"a\\u0007b"}}]}]}',
    "rules[0].responses[0].fields.X: field X has the control character U+0007 in its value",
  ],
  [
    "a value with a character above U+00FF",
    '{"rules":[{"path":"/a","responses":[{"fields":{"X":"\u20ac"}}]}]}',
    "rules[0].responses[0].fields.X: field X has U+20AC in its value, which is not one byte (obs-text is U+0080 to U+00FF)",
  ],
  [
    "a name that is not a token",
    '{"rules":[{"path":"/a","responses":[{"fields":{"X Y":"1"}}]}]}',
    'rules[0].responses[0].fields."X Y": field name "X Y" is not a token',
  ],
  [
    "a name with a newline",
    '{"rules":[{"path":"/a","responses":[{"fields":{"X\\nY":"1"}}]}]}',
    'rules[0].responses[0].fields."X\\nY": field name "X\\nY" is not a token',
  ],
  [
    "bad JSON at the end",
    '{"rules": [',
    "not JSON: unexpected end of input at line 1, column 12",
  ],
  [
    "bad JSON on the second line",
    '{"rules": [\n  }',
    'not JSON: unexpected "}" at line 2, column 3',
  ],
  [
    "a trailing comma",
    '{"rules": [],}',
    'not JSON: unexpected "}" at line 1, column 14',
  ],
];

for (const [what, text, reason] of BAD) {
  Deno.test(`parseLabScript() refuses the file with one line when it has ${what}`, () => {
    const result = parseLabScript(text);
    assert.deepEqual(result, { kind: "bad", reason });
    assert.ok(!reason.includes("\n"), "one line");
  });
}

Deno.test("scriptedResponse() gives the nth response, then repeats the last, from the first rule that matches", () => {
  const script = parsed({
    rules: [
      {
        path: "/seq",
        responses: [{ status: 200 }, { status: 304 }, { status: 500 }],
      },
      { path: "/p/*", responses: [{ status: 201 }] },
      { path: "/p/x", responses: [{ status: 202 }] },
    ],
  });
  const statuses = [1, 2, 3, 4, 9].map((n) =>
    scriptedResponse(script, "/seq", n)?.status
  );
  assert.deepEqual(statuses, [200, 304, 500, 500, 500]);
  assert.equal(
    scriptedResponse(script, "/p/x", 1)?.status,
    201,
    "the first matching rule wins",
  );
  assert.equal(
    scriptedResponse(script, "/p/", 1)?.status,
    201,
    "the prefix itself matches",
  );
  assert.equal(
    scriptedResponse(script, "/p", 1),
    undefined,
    "the prefix is /p/, not /p",
  );
  assert.equal(
    scriptedResponse(script, "/seq/more", 1),
    undefined,
    "an exact path is exact",
  );
});
