'use strict';
// edgesim's Lambda@Edge worker for Node.js: one warm execution environment.
//
// Protocol (NDJSON, one JSON object per line; crates/edgesim-lambda/src/worker.rs):
//   stdin  <- {"t":"invoke","id":N,"requestId":"…","deadlineMs":N,"event":{…}}
//   stdout -> {"t":"ready","version":"20.1.0","executable":"/usr/bin/node"} once the handler is
//             loaded, or {"t":"fatal","error":{errorType,errorMessage,trace}} and exit
//   stdout -> {"t":"log","ts":"…","level":"INFO","msg":"…"} for console.* and for lines written
//             to process.stdout / process.stderr, then
//             {"t":"result","id":N,"ok":…} | {"t":"result","id":N} (no payload)
//             | {"t":"result","id":N,"error":{…}}; "exiting":true when the worker dies after it;
//             "ns": the handler's own time in ns (from its call to its callback/resolution)
// Logs and results share one ordered stream: the result line ends the invocation.
const path = require('path');
const fs = require('fs');
const util = require('util');
const { pathToFileURL } = require('url');

const env = process.env;
const HANDLER_FILE = env.EDGESIM_HANDLER_FILE;
const HANDLER_EXPORT = env.EDGESIM_HANDLER_EXPORT;
const RUNTIME_MAJOR = Number(env.EDGESIM_RUNTIME_MAJOR || '0');
const FUNCTION_ARN = env.EDGESIM_FUNCTION_ARN;
delete env.EDGESIM_HANDLER_FILE;
delete env.EDGESIM_HANDLER_EXPORT;
delete env.EDGESIM_RUNTIME_MAJOR;
delete env.EDGESIM_FUNCTION_ARN;

const protocolWrite = process.stdout.write.bind(process.stdout);
function send(obj) {
  protocolWrite(JSON.stringify(obj) + '\n');
}

// CloudWatch keeps at most 256 KB of one log event; longer messages are cut.
const LOG_EVENT_MAX = 256 * 1024;
function logText(level, msg) {
  if (msg.length > LOG_EVENT_MAX) msg = msg.slice(0, LOG_EVENT_MAX);
  protocolWrite(JSON.stringify({ t: 'log', ts: new Date().toISOString(), level, msg }) + '\n');
}
function log(level, args) {
  logText(level, util.format(...args));
}
console.log = (...a) => log('INFO', a);
console.info = (...a) => log('INFO', a);
console.warn = (...a) => log('WARN', a);
console.error = (...a) => log('ERROR', a);
console.debug = (...a) => log('DEBUG', a);
console.trace = (...a) => {
  const stack = new Error().stack.split('\n').slice(2).join('\n');
  log('TRACE', [util.format(...a) + '\n' + stack]);
};

// Writes to process.stdout / process.stderr become log lines: complete lines at once, a line
// without its newline when the invocation ends (it must never hold the answer back).
let rawPending = '';
function rawWrite(chunk, encoding, cb) {
  if (typeof encoding === 'function') {
    cb = encoding;
    encoding = undefined;
  }
  rawPending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  let nl;
  while ((nl = rawPending.indexOf('\n')) !== -1) {
    logText('INFO', rawPending.slice(0, nl));
    rawPending = rawPending.slice(nl + 1);
  }
  if (rawPending.length > LOG_EVENT_MAX) flushRaw();
  if (typeof cb === 'function') process.nextTick(cb);
  return true;
}
function flushRaw() {
  if (rawPending !== '') {
    logText('INFO', rawPending);
    rawPending = '';
  }
}
process.stdout.write = rawWrite;
process.stderr.write = rawWrite;

function errorPayload(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || (err.constructor && err.constructor.name) || 'Error',
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  if (typeof err === 'string') return { errorType: 'string', errorMessage: err, trace: [] };
  if (err && typeof err === 'object' && (err.errorType || err.errorMessage)) {
    return { errorType: String(err.errorType || 'Error'), errorMessage: String(err.errorMessage || ''), trace: [] };
  }
  let text;
  try {
    text = JSON.stringify(err);
  } catch (_) {
    text = String(err);
  }
  return { errorType: typeof err, errorMessage: String(text), trace: [] };
}

// The nearest package.json decides whether a .js file is an ES module.
function isEsmScope(file) {
  let dir = path.dirname(file);
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        return JSON.parse(fs.readFileSync(candidate, 'utf8')).type === 'module';
      } catch (_) {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function lookup(mod, dotted) {
  let value = mod;
  for (const part of dotted.split('.')) {
    if (value === null || value === undefined) return undefined;
    value = value[part];
  }
  return value;
}

async function loadHandler() {
  const ext = path.extname(HANDLER_FILE);
  const moduleName = path.basename(HANDLER_FILE, ext);
  let mod;
  try {
    if (ext === '.mjs' || (ext === '.js' && isEsmScope(HANDLER_FILE))) {
      mod = await import(pathToFileURL(HANDLER_FILE).href);
    } else {
      mod = require(HANDLER_FILE);
    }
  } catch (e) {
    const p = errorPayload(e);
    if (e instanceof SyntaxError) {
      p.errorType = 'Runtime.UserCodeSyntaxError';
      p.errorMessage = `SyntaxError: ${e.message}`;
    } else {
      p.errorType = 'Runtime.ImportModuleError';
      p.errorMessage = `Error: ${e.message}`;
    }
    throw p;
  }
  let fn = lookup(mod, HANDLER_EXPORT);
  if (fn === undefined && mod && mod.default !== undefined) fn = lookup(mod.default, HANDLER_EXPORT);
  if (typeof fn !== 'function') {
    throw {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${moduleName}.${HANDLER_EXPORT} is undefined or not exported`,
      trace: [],
    };
  }
  if (RUNTIME_MAJOR >= 24 && fn.length >= 3 && fn.constructor.name !== 'AsyncFunction') {
    throw {
      errorType: 'Runtime.CallbackHandlerDeprecated',
      errorMessage:
        `${moduleName}.${HANDLER_EXPORT} takes a callback; the nodejs${RUNTIME_MAJOR}.x runtime only ` +
        'supports async handlers (return a Promise instead of calling callback)',
      trace: [],
    };
  }
  return fn;
}

function makeContext(msg, finish) {
  const deadline = Number(msg.deadlineMs);
  return {
    awsRequestId: msg.requestId,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: FUNCTION_ARN,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    succeed: (result) => finish(null, result),
    fail: (err) => finish(err === undefined || err === null ? new Error('handled') : err),
    done: (err, result) => finish(err === undefined ? null : err, result),
  };
}

let handler = null;
let exiting = false;
let finishCurrent = null;

function invoke(msg) {
  const id = msg.id;
  let done = false;
  const started = process.hrtime.bigint();
  const finish = (err, result) => {
    if (done) return;
    done = true;
    // The handler's own time, before the result is serialised: what `edgesim bench` reports
    // next to the round trip (which adds the pipe, both serialisations and scheduling).
    const ns = Number(process.hrtime.bigint() - started);
    finishCurrent = null;
    flushRaw();
    if (err !== null && err !== undefined) {
      send({ t: 'result', id, error: errorPayload(err), exiting, ns });
      return;
    }
    let payload;
    try {
      payload = JSON.stringify(result);
    } catch (e) {
      send({
        t: 'result',
        id,
        ns,
        error: { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${e.message}`, trace: [] },
        exiting,
      });
      return;
    }
    if (payload === undefined) {
      send({ t: 'result', id, exiting, ns });
    } else {
      protocolWrite(`{"t":"result","id":${JSON.stringify(id)},"exiting":${exiting},"ns":${ns},"ok":${payload}}\n`);
    }
  };
  finishCurrent = finish;
  const context = makeContext(msg, finish);
  let ret;
  try {
    ret = handler(msg.event, context, (err, result) => finish(err === undefined ? null : err, result));
  } catch (e) {
    finish(e);
    return;
  }
  if (ret !== null && ret !== undefined && typeof ret.then === 'function') {
    ret.then(
      (result) => finish(null, result),
      (err) => finish(err === undefined || err === null ? new Error('Promise rejected') : err)
    );
  } else if (handler.length < 3) {
    // A plain function that neither returns a Promise nor takes a callback produces no payload
    // (lambda-edge.md §3.2); give synchronous context.succeed()/done() calls a chance first.
    setImmediate(() => finish(null, undefined));
  }
}

// Like Lambda, an uncaught error fails the invocation in flight and ends the environment.
function fatalDuringInvoke(err) {
  exiting = true;
  if (finishCurrent) {
    finishCurrent(err);
  } else {
    log('ERROR', ['Uncaught', err]);
  }
  process.exit(129);
}
process.on('uncaughtException', fatalDuringInvoke);
process.on('unhandledRejection', (reason) => fatalDuringInvoke(reason));

function onLine(line) {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch (_) {
    return;
  }
  if (msg && msg.t === 'invoke') invoke(msg);
}

loadHandler().then(
  (fn) => {
    handler = fn;
    // Lines split by hand: cheaper than readline for one large line per invocation.
    let pending = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => {
      const data = pending === '' ? chunk : pending + chunk;
      let start = 0;
      let nl;
      while ((nl = data.indexOf('\n', start)) !== -1) {
        onLine(data.slice(start, nl));
        start = nl + 1;
      }
      pending = start === 0 ? data : data.slice(start);
    });
    process.stdin.on('end', () => process.exit(0));
    send({ t: 'ready', version: process.versions.node, executable: process.execPath });
  },
  (err) => {
    send({ t: 'fatal', error: err && err.errorType ? err : errorPayload(err) });
    process.exit(1);
  }
);
