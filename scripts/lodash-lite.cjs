// Stands in for lodash in the function bundle (scripts/build.mjs): the Huawei SDK core calls three of
// its functions, and the whole library is 73 KiB to parse at every cold start. The build fails if the
// core starts calling anything else.
/** Stable sort by `key(item)`, as lodash's sortBy (the signer sorts header names with it). */
exports.sortBy = (items, key) =>
  items
    .map((item, index) => ({ item, index, k: key(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.index - b.index))
    .map((x) => x.item);
exports.includes = (items, value) => items.includes(value);
exports.filter = (items, keep) => items.filter(keep);
