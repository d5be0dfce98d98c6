"""edgesim's Lambda@Edge host for Python: handler loading, the context object, output capture.

Loaded once into the embedded interpreter as the module `_edgesim_lambda`. The Rust side calls
`load` once per function and `invoke` once per invocation on its interpreter thread.
"""

import datetime
import importlib.util
import io
import os
import sys
import threading
import time
import traceback

_local = threading.local()


class _CapturingStream(io.TextIOBase):
    """Installed as sys.stdout and sys.stderr: writes go to the invocation running on the
    calling thread, or to the real stream outside invocations."""

    def __init__(self, level, real):
        self._level = level
        self._real = real

    def writable(self):
        return True

    def write(self, text):
        chunks = getattr(_local, "chunks", None)
        if chunks is None:
            return self._real.write(text)
        chunks.append((self._level, text, _now()))
        return len(text)

    def flush(self):
        if getattr(_local, "chunks", None) is None:
            self._real.flush()

    @property
    def encoding(self):
        return "utf-8"


def _install_streams():
    if not isinstance(sys.stdout, _CapturingStream):
        sys.stdout = _CapturingStream("INFO", sys.__stdout__ or io.StringIO())
    if not isinstance(sys.stderr, _CapturingStream):
        sys.stderr = _CapturingStream("ERROR", sys.__stderr__ or io.StringIO())


class LambdaContext:
    """The `context` argument, with the attributes of Lambda's Python context object."""

    def __init__(self, request_id, deadline, fn):
        self.aws_request_id = request_id
        self.function_name = fn["function_name"]
        self.function_version = fn["function_version"]
        self.invoked_function_arn = fn["invoked_function_arn"]
        self.memory_limit_in_mb = fn["memory_limit_in_mb"]
        self.log_group_name = fn["log_group_name"]
        self.log_stream_name = fn["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.time()) * 1000))


_counter = [0]


def load(path, export):
    """Imports the handler file as a module (its directory on sys.path, so that sibling modules
    import and tracebacks show source lines) and returns the handler callable."""
    _install_streams()
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    name = os.path.splitext(os.path.basename(path))[0]
    existing = sys.modules.get(name)
    if existing is not None:
        # Another function (or another copy of this one) already owns the name: each function
        # gets its own module object, as each Lambda function has its own environment.
        _counter[0] += 1
        name = "%s__edgesim%d" % (name, _counter[0])
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        del sys.modules[name]
        raise _LoadError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (name, e), e)
    except BaseException as e:
        del sys.modules[name]
        raise _LoadError(
            "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (name, e), e
        )
    handler = module
    for part in export.split("."):
        handler = getattr(handler, part, None)
    if not callable(handler):
        raise _LoadError(
            "Runtime.HandlerNotFound",
            "Handler '%s' missing on module '%s'" % (export, name),
            None,
        )
    return handler


class _LoadError(Exception):
    def __init__(self, error_type, message, cause):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = _format(cause) if cause is not None else []


def load_error_fields(err):
    if isinstance(err, _LoadError):
        return (err.error_type, err.message, err.trace)
    return (type(err).__name__, str(err), _format(err))


def _format(err, skip=0):
    tb = err.__traceback__
    for _ in range(skip):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    text = "".join(traceback.format_exception(type(err), err, tb))
    return text.rstrip("\n").split("\n")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _lines(chunks):
    """Joins the captured writes into (timestamp, level, line) entries, one per line; a line
    takes the time of its first write."""
    out = []
    level, pending, stamp = None, [], None
    for chunk_level, text, chunk_stamp in chunks:
        if pending and chunk_level != level:
            out.append((stamp, level, "".join(pending)))
            pending = []
        level = chunk_level
        parts = text.split("\n")
        for part in parts[:-1]:
            if not pending:
                stamp = chunk_stamp
            pending.append(part)
            out.append((stamp, level, "".join(pending)))
            pending = []
        if parts[-1]:
            if not pending:
                stamp = chunk_stamp
            pending.append(parts[-1])
    if pending:
        out.append((stamp, level, "".join(pending)))
    return out


def invoke(handler, event, request_id, timeout_s, fn):
    """Runs the handler once. Returns (kind, value, logs): kind "ok" with the result, "error"
    with (errorType, errorMessage, trace), or "exit" with a message for sys.exit()."""
    _install_streams()
    _local.chunks = []
    context = LambdaContext(request_id, time.time() + timeout_s, fn)
    try:
        try:
            result = handler(event, context)
            kind, value = "ok", result
        except SystemExit as e:
            kind, value = "exit", "exit status %s" % (e.code,)
        except BaseException as e:
            kind, value = "error", (type(e).__name__, str(e), _format(e, skip=1))
    finally:
        chunks = _local.chunks
        _local.chunks = None
    return kind, value, _lines(chunks)
