"""edgesim's Lambda@Edge worker for Python: one warm execution environment.

Run as `python3 -c <this file>` with the handler in EDGESIM_HANDLER_FILE / _EXPORT. Speaks the
protocol described in crates/edgesim-lambda/src/worker.rs: invocations in on stdin, log lines
and results out on stdout, one JSON object per line. The protocol uses private copies of fd 0
and fd 1: the handler's stdin is /dev/null, and whatever it (or C code) writes to fd 1 goes
to stderr, so nothing it prints can corrupt the protocol.
"""

import datetime
import importlib.util
import io
import json
import os
import platform
import sys
import time
import traceback

_env = os.environ
HANDLER_FILE = _env.pop("EDGESIM_HANDLER_FILE", "")
HANDLER_EXPORT = _env.pop("EDGESIM_HANDLER_EXPORT", "")
FUNCTION_ARN = _env.pop("EDGESIM_FUNCTION_ARN", "")

_proto_in = os.fdopen(os.dup(0), "rb")
_proto_out = os.dup(1)
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)
os.dup2(2, 1)

# CloudWatch keeps at most 256 KB of one log event; longer messages are cut.
LOG_EVENT_MAX = 256 * 1024


def _send_bytes(data):
    view = memoryview(data)
    while view:
        written = os.write(_proto_out, view)
        view = view[written:]


def _send(obj):
    _send_bytes((json.dumps(obj, separators=(",", ":")) + "\n").encode("utf-8"))


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _log(level, msg):
    if len(msg) > LOG_EVENT_MAX:
        msg = msg[:LOG_EVENT_MAX]
    _send({"t": "log", "ts": _now(), "level": level, "msg": msg})


class _LogStream(io.TextIOBase):
    """sys.stdout and sys.stderr: each complete line is a log line; a line without its newline
    is sent when the invocation ends."""

    def __init__(self, level):
        self._level = level
        self._pending = ""

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        data = self._pending + text
        lines = data.split("\n")
        self._pending = lines.pop()
        for line in lines:
            _log(self._level, line)
        if len(self._pending) > LOG_EVENT_MAX:
            self.flush_line()
        return len(text)

    def flush_line(self):
        if self._pending:
            _log(self._level, self._pending)
            self._pending = ""

    def flush(self):
        pass

    @property
    def encoding(self):
        return "utf-8"


_stdout = _LogStream("INFO")
_stderr = _LogStream("ERROR")
sys.stdout = _stdout
sys.stderr = _stderr


class LambdaContext:
    """The `context` argument, with the attributes of Lambda's Python context object."""

    def __init__(self, request_id, deadline_ms):
        self.aws_request_id = request_id
        self.function_name = _env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = _env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = FUNCTION_ARN
        self.memory_limit_in_mb = _env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = _env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = _env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def _format(err, skip=0):
    tb = err.__traceback__
    for _ in range(skip):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    text = "".join(traceback.format_exception(type(err), err, tb))
    return text.rstrip("\n").split("\n")


def _fatal(error_type, message, cause):
    trace = _format(cause) if cause is not None else []
    _send({"t": "fatal", "error": {"errorType": error_type, "errorMessage": message, "trace": trace}})
    os._exit(1)


def _load():
    """Imports the handler file as a module (its directory on sys.path, so that sibling modules
    import and tracebacks show source lines) and returns the handler callable."""
    directory = os.path.dirname(HANDLER_FILE)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    name = os.path.splitext(os.path.basename(HANDLER_FILE))[0]
    spec = importlib.util.spec_from_file_location(name, HANDLER_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        _fatal("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (name, e), e)
    except BaseException as e:
        _fatal("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (name, e), e)
    handler = module
    for part in HANDLER_EXPORT.split("."):
        handler = getattr(handler, part, None)
    if not callable(handler):
        _fatal(
            "Runtime.HandlerNotFound",
            "Handler '%s' missing on module '%s'" % (HANDLER_EXPORT, name),
            None,
        )
    return handler


def _flush_lines():
    _stdout.flush_line()
    _stderr.flush_line()


def _send_error(msg_id, error_type, message, trace, exiting=False, ns=None):
    _flush_lines()
    error = {"errorType": error_type, "errorMessage": message, "trace": trace}
    reply = {"t": "result", "id": msg_id, "error": error, "exiting": exiting}
    if ns is not None:
        reply["ns"] = ns
    _send(reply)


def _invoke(handler, msg):
    msg_id = int(msg.get("id", 0))
    context = LambdaContext(msg.get("requestId"), msg.get("deadlineMs", 0))
    started = time.perf_counter_ns()
    try:
        result = handler(msg.get("event"), context)
        # The handler's own time, before serialisation (`edgesim bench` shows it next to the
        # round trip).
        ns = time.perf_counter_ns() - started
    except SystemExit as e:
        # Lambda: "Runtime exited with error: exit status N"; the worker ends the same way.
        _flush_lines()
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        os._exit(code)
    except MemoryError as e:
        # The environment is out of memory: answer, then end it (a fresh one replaces it).
        _send_error(msg_id, "Runtime.OutOfMemory", "MemoryError: %s" % e, [], exiting=True)
        os._exit(137)
    except BaseException as e:
        ns = time.perf_counter_ns() - started
        _send_error(msg_id, type(e).__name__, str(e), _format(e, skip=1), ns=ns)
        return
    try:
        payload = json.dumps(result, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as e:
        _send_error(msg_id, "Runtime.MarshalError", "Unable to marshal response: %s" % e, [], ns=ns)
        return
    _flush_lines()
    _send_bytes(('{"t":"result","id":%d,"ns":%d,"ok":%s}\n' % (msg_id, ns, payload)).encode("utf-8"))


def main():
    handler = _load()
    _send({"t": "ready", "version": platform.python_version(), "executable": sys.executable})
    for line in _proto_in:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if isinstance(msg, dict) and msg.get("t") == "invoke":
            _invoke(handler, msg)
    os._exit(0)


main()
