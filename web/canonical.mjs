// RFC 8785 canonical JSON of a parsed value, in JavaScript: the notice bundle
// (docs/widget.md, "Compiled path") is checked before the core is loaded, so
// its integrity and config digests must be computed without it. RFC 8785 is
// defined in terms of ECMAScript itself (section 3.2.2: strings and numbers
// serialise as JSON.stringify does; section 3.2.3: members sorted by UTF-16
// code units, which is what Array.prototype.sort compares), so this is the
// whole scheme. The reference is the core's canonicalize (core/src/canonical_json.cpp);
// tests/js/canonical.test.mjs checks the two agree on the RFC's and our own
// fixtures. A difference can only make a bundle look foreign, which sends the
// widget to the safe path: it never makes a wrong bundle pass, since the
// core compares the bundle's notice with its own once it is loaded.
export function canonicalJson(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('RFC 8785 has no form for NaN or Infinity.');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  throw new TypeError(`RFC 8785 has no form for a ${typeof value}.`);
}
