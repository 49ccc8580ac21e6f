/**
 * Owns the lessons menu `cachelab lab` prints after its three address
 * lines: short experiments, each a few commands against the lab's
 * proxy, origin and admin listener with what to look for. Every command
 * names the lab's real addresses, so it can be pasted as printed.
 *
 * Must not run anything: the lessons' tests run these commands.
 */

/** Where the lab's three listeners are, as `http://HOST:PORT`. */
export interface LabUrls {
  proxy: string;
  admin: string;
  origin: string;
}

/** One lesson: a title, then steps of a command and what it shows. */
interface Lesson {
  title: string;
  steps: readonly { command: string; look?: string }[];
}

function lessons(urls: LabUrls): Lesson[] {
  const fresh = `'${urls.proxy}/lab/headers?Cache-Control=max-age%3D60'`;
  const tagged = `'${urls.proxy}/lab/etag/v1?Cache-Control=max-age%3D10'`;
  const advance = (s: number) =>
    `cachelab clock advance ${s} --admin ${urls.admin}`;
  return [
    {
      title: "Freshness and Age (RFC 9111 §4.2, §5.1)",
      steps: [
        {
          command: `curl -i ${fresh}`,
          look: "a miss: the body says request 1",
        },
        {
          command: `curl -i ${fresh}`,
          look: "a hit: Cache-Status says hit, Age counts the seconds since",
        },
        { command: advance(61), look: "a minute later, without waiting" },
        {
          command: `curl -i ${fresh}`,
          look: "stale now: fetched again (Cache-Status fwd=stale), request 2",
        },
        {
          command: `curl '${urls.origin}/lab/count?path=/lab/headers'`,
          look: "2: the hit never reached the origin",
        },
      ],
    },
    {
      title: "Revalidation with ETag (RFC 9111 §4.3, RFC 9110 §13.1.2)",
      steps: [
        { command: `curl -i ${tagged}`, look: 'stored with ETag: "v1"' },
        { command: advance(11), look: "past its 10 s of freshness" },
        {
          command: `curl -i -H 'Cachelab-Explain: 1' ${tagged}`,
          look:
            'the proxy asked If-None-Match: "v1", the origin answered 304 ' +
            "(fwd-status=304): the stored body is served, fresh again",
        },
        {
          command: `curl '${urls.origin}/lab/log'`,
          look: "the conditional request as the origin received it",
        },
      ],
    },
  ];
}

/**
 * The menu, lines ending in "\n": a heading naming the live page, then
 * each lesson numbered with its commands indented and what to look for
 * after "#".
 */
export function lessonsMenu(urls: LabUrls): string {
  const lines = [
    `Lessons: paste the commands; watch ${urls.admin}/ (the live page, with buttons that move the clock).`,
  ];
  lessons(urls).forEach((lesson, i) => {
    lines.push("", `${i + 1}. ${lesson.title}`);
    for (const step of lesson.steps) {
      lines.push(`   ${step.command}`);
      if (step.look) lines.push(`     # ${step.look}`);
    }
  });
  return lines.join("\n") + "\n";
}
