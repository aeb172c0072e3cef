// The little XML the storage services answer with, read without a general parser: entity
// decoding, the text of one element, and an entry's (possibly percent-encoded) name.

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function decodeXmlText(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/** The text of the first <tag>...</tag> in `xml` (undefined when absent or empty). */
export function element(xml: string, tag: string): string | undefined {
  const open = xml.indexOf(`<${tag}>`);
  if (open < 0) return undefined;
  const start = open + tag.length + 2;
  const end = xml.indexOf(`</${tag}>`, start);
  if (end < 0) return undefined;
  const text = xml.slice(start, end);
  return text === "" ? undefined : decodeXmlText(text);
}

/** An entry's name: plain, or percent-encoded when the service marks it Encoded="true". */
export function entryName(entry: string): string {
  const match = /<Name( Encoded="true")?>([^<]*)<\/Name>/.exec(entry);
  if (!match) return "";
  const text = decodeXmlText(match[2]!);
  return match[1] ? decodeURIComponent(text) : text;
}
