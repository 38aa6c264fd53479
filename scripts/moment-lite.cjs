// Stands in for moment in the function bundle (scripts/build.mjs): the Huawei SDK core's signers use
// it for one thing, `moment(date?).utcOffset(0).format('YYYYMMDDTHHmmss')` (the X-Sdk-Date header),
// and the library is 62 KiB to parse at every cold start. Anything else throws; the build fails if
// the core starts using moment another way.
const FORMAT = 'YYYYMMDDTHHmmss';
module.exports = function moment(input) {
  const date = input === undefined ? new Date() : new Date(input);
  if (Number.isNaN(date.getTime())) throw new Error(`moment-lite: cannot read the date ${JSON.stringify(String(input))}`);
  return {
    utcOffset(offset) {
      if (offset !== 0) throw new Error(`moment-lite: only utcOffset(0) is supported, not ${offset}`);
      return this;
    },
    format(format) {
      if (format !== FORMAT) throw new Error(`moment-lite: only the format ${FORMAT} is supported, not ${format}`);
      return date.toISOString().replace(/\.\d{3}Z$/, '').replace(/[-:]/g, '');
    },
  };
};
