// Stands in for log4js in the function bundle (scripts/build.mjs). The Huawei SDKs log through
// log4js, the Kafka SDK's core with every request's headers (Authorization, X-Security-Token)
// included: in the deployed function that logger does not exist, so nothing of it can print.
const noop = () => undefined;
const logger = {
  level: 'off',
  trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop, mark: noop, log: noop,
  isLevelEnabled: () => false,
  addContext: noop, removeContext: noop, clearContext: noop,
};
module.exports = { configure: noop, getLogger: () => logger, shutdown: (cb) => (cb ? cb() : undefined), levels: {} };
