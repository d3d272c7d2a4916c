// Preload (node --require): resolves the testbed's host names
// (*.vault.test, login.vault.test) to 127.0.0.1 inside this Node process, so
// the Azure SDK connects to the local vaultsim processes while TLS, SNI and
// the Key Vault challenge-resource check still see the real host names.
'use strict';
const dns = require('node:dns');

const originalLookup = dns.lookup;
const isTestbedHost = (hostname) => typeof hostname === 'string' && /(^|\.)vault\.test\.?$/i.test(hostname);

dns.lookup = function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  if (typeof options === 'number') options = { family: options };
  if (!isTestbedHost(hostname)) return originalLookup.call(dns, hostname, options, callback);
  const address = { address: '127.0.0.1', family: 4 };
  process.nextTick(() => {
    if (options && options.all) callback(null, [address]);
    else callback(null, address.address, address.family);
  });
  return undefined;
};

if (dns.promises && dns.promises.lookup) {
  const originalPromiseLookup = dns.promises.lookup;
  dns.promises.lookup = async function lookup(hostname, options) {
    if (!isTestbedHost(hostname)) return originalPromiseLookup.call(dns.promises, hostname, options);
    const address = { address: '127.0.0.1', family: 4 };
    return options && options.all ? [address] : address;
  };
}
