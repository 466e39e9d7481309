// Preload for Node servers started by the tests (`node -r ./loopback.cjs`, or
// `NODE_OPTIONS="-r /abs/path/tools/loopback.cjs"`): a server that calls `listen(port)` with no
// host binds every interface; this makes it bind 127.0.0.1 instead.
//
// Only non-zero ports are rewritten. `listen(0)` is left alone on purpose: binding with a host
// resolves the address asynchronously, and callers such as the conformance runner read
// `server.address().port` right after `listen(0)` returns.
'use strict';

const net = require('net');

const LOOPBACK = '127.0.0.1';
const originalListen = net.Server.prototype.listen;

function isPort(value) {
  return (
    (typeof value === 'number' && Number.isInteger(value)) ||
    (typeof value === 'string' && /^\d+$/.test(value))
  );
}

net.Server.prototype.listen = function listen(...args) {
  const first = args[0];
  if (isPort(first)) {
    // listen(port[, host][, backlog][, callback])
    if (Number(first) !== 0 && typeof args[1] !== 'string') {
      args.splice(1, 0, LOOPBACK);
    }
  } else if (
    first !== null &&
    typeof first === 'object' &&
    !Array.isArray(first) &&
    isPort(first.port) &&
    Number(first.port) !== 0 &&
    first.host === undefined &&
    first.path === undefined
  ) {
    // listen(options[, callback])
    args[0] = { ...first, host: LOOPBACK };
  }
  return originalListen.apply(this, args);
};
