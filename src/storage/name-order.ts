// The order the Blob service lists names in: by UTF-8 bytes, which is Unicode code point order.
// JavaScript's `<` compares UTF-16 code units, which puts characters above U+FFFF (surrogate
// pairs, 0xD800–0xDFFF) before U+E000–U+FFFF; a sorted merge of a local listing and a blob
// listing must use one order, this one.

/** Negative, zero or positive as `a` sorts before, with or after `b` in code point order. */
export function compareNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (0xD800–0xDFFF) rank above every other code unit, as their code points do. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
