# The sandbox's zygote: started once per pool slot inside bubblewrap (its own user, PID, network, IPC, UTS and mount
# namespaces, a read-only system, an empty tmpfs /tmp), it serves one call at a time over stdin/stdout:
#
#   server -> zygote   {"id": N, "wall": seconds}\n          the header, read by the zygote itself
#   server -> zygote   {"op": "call"|"schema", ...}\n        the body, read by the call's supervisor only
#   zygote -> server   {"kind": "result", "id": N, ...}\n    written by the supervisor (or by the zygote if it died)
#   zygote -> server   {"kind": "ready", "id": N}\n          the slot is clean again
#
# Three processes per call, so that every call starts from the same clean state and no call's data outlives it:
# - the zygote (PID 1 of the sandbox, so no tool can signal it) never reads a call's body, and after each call kills
#   every other process in the sandbox and empties /tmp and /dev/shm;
# - the supervisor (a fork of the zygote) reads the body, forks the tool's process, collects its stdout, stderr and
#   result under the output caps and the wall-clock limit, and answers;
# - the tool's process applies the rlimits and the tool's environment, then runs the function.
# The zygote and the supervisor are made non-dumpable, so a tool running as the same user cannot ptrace them or open
# their /proc files (their pipes to the server).
# Outside a PID namespace (the benchmark's unsandboxed baseline) the zygote is not PID 1: then it must not kill "every
# other process" nor empty /tmp, which would be the host's; it only kills the tool's own process group.
# (asyncio is imported only by a tool that needs it: loaded here it would double the cost of every fork)
import builtins, ctypes, errno, io, json, linecache, os, resource, select, signal, sys, time, traceback
import types

PR_SET_DUMPABLE = 4
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8"}
SCRATCH = ("/tmp", "/dev/shm")
# the zygote and supervisor themselves: counted by RLIMIT_NPROC, which counts the sandbox user's processes
OWN_PROCESSES = 2
ISOLATED = os.getpid() == 1


def main():
    if sys.version_info < (3, 9):
        sys.exit("the tool sandbox needs Python 3.9 or newer, this is " + sys.version.split()[0])
    if ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        sys.exit("cannot make the zygote non-dumpable")
    write_frame({"kind": "ready", "id": None})
    while True:
        header = read_line(0, unbuffered=True)
        if not header:
            os._exit(0)
        h = json.loads(header)
        call_id = h["id"]
        supervisor = os.fork()
        if supervisor == 0:
            try:
                supervise(call_id)
            finally:
                os._exit(1)
        died = wait_supervisor(supervisor, float(h["wall"]) + 3)
        if died:
            write_frame({"kind": "result", "id": call_id, "status": "error", "failure": "killed",
                         "error": "the call's supervisor " + died})
        sweep()
        write_frame({"kind": "ready", "id": call_id})


def wait_supervisor(pid, timeout):
    """None when the supervisor answered and exited cleanly, else what happened to it."""
    fd = os.pidfd_open(pid)
    try:
        if not select.select([fd], [], [], timeout)[0]:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "did not finish in time (the tool stopped it?)"
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            return None
        if os.WIFSIGNALED(status):
            return "was killed by %s (by the tool?)" % signal_name(os.WTERMSIG(status))
        return "exited with status %d" % os.waitstatus_to_exitcode(status)
    finally:
        os.close(fd)


def sweep():
    """Kills every process but this one (PID 1; orphans are reparented to it, so waiting until none is left means
    none is left) and empties the writable directories, so the next call finds the sandbox as it started."""
    if not ISOLATED:
        reap()
        return
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            while True:
                os.waitpid(-1, 0)
        except ChildProcessError:
            pass
        try:
            os.kill(-1, 0)
        except ProcessLookupError:
            break
    for scratch in SCRATCH:
        for entry in os.listdir(scratch):
            remove(os.path.join(scratch, entry))


def reap():
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def remove(path):
    """Deletes a file or a tree. A tool may leave a directory without permissions: it is ours, so it is opened up
    first. (Should this fail, the zygote dies, and the server replaces the whole sandbox.)"""
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, 0o700)
        for entry in os.listdir(path):
            remove(os.path.join(path, entry))
        os.rmdir(path)
    else:
        os.unlink(path)


# ---- the supervisor ----

def supervise(call_id):
    started = time.monotonic()
    request = json.loads(read_line(0, unbuffered=False))
    limits = request["limits"]
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            run_tool(request, out_w, err_w, res_w)
        finally:
            os._exit(70)
    for fd in (out_w, err_w, res_w):
        os.close(fd)
    caps = {out_r: limits["output"], err_r: limits["output"], res_r: 4 * limits["return_chars"] + 65536}
    data = {out_r: bytearray(), err_r: bytearray(), res_r: bytearray()}
    open_fds = [out_r, err_r, res_r]
    pidfd = os.pidfd_open(child)
    deadline = started + float(limits["wall"])
    overflow = None
    timed_out = False
    exited = False
    while not exited:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        ready = select.select(open_fds + [pidfd], [], [], remaining)[0]
        exited = pidfd in ready
        for fd in ready:
            if fd == pidfd:
                continue
            if not read_into(fd, data, caps, open_fds):
                overflow = fd
        if overflow is not None:
            break
    if exited:
        # the tool's process has ended: take what it left in the pipes (its children may still hold them open)
        for fd in list(open_fds):
            if not drain(fd, data, caps, open_fds):
                overflow = overflow or fd
    kill_tool(child)
    _, status, usage = os.wait4(child, 0)
    kill_tool(child)  # the tool's other processes go now, before the answer
    cpu = usage.ru_utime + usage.ru_stime
    answer = {"kind": "result", "id": call_id,
              "stdout": data[out_r][:limits["output"]].decode("utf-8", "replace"),
              "stderr": data[err_r][:limits["output"]].decode("utf-8", "replace"),
              "cpu_ms": round(cpu * 1000, 1)}
    answer.update(outcome(limits, data[res_r], status, cpu, timed_out, overflow, out_r, res_r))
    write_frame(answer)
    os._exit(0)


def kill_tool(child):
    try:
        if ISOLATED:
            os.kill(-1, signal.SIGKILL)  # all but this process and PID 1: only the tool's are left in the sandbox
        else:
            os.killpg(child, signal.SIGKILL)
    except ProcessLookupError:
        pass


def read_into(fd, data, caps, open_fds):
    chunk = os.read(fd, 65536)
    if not chunk:
        open_fds.remove(fd)
        return True
    data[fd] += chunk
    return len(data[fd]) <= caps[fd]


def drain(fd, data, caps, open_fds):
    os.set_blocking(fd, False)
    try:
        while fd in open_fds:
            if not read_into(fd, data, caps, open_fds):
                return False
    except BlockingIOError:
        pass
    return True


def outcome(limits, result, status, cpu, timed_out, overflow, out_r, res_r):
    if timed_out:
        return failure("timeout", "the tool did not finish within the wall-clock limit of %ss" % limits["wall"])
    if overflow is not None:
        if overflow == res_r:
            return failure("output", "the tool's result is larger than the return limit")
        stream = "stdout" if overflow == out_r else "stderr"
        return failure("output", "the tool wrote more than %d bytes to %s" % (limits["output"], stream))
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits["cpu"]):
            return failure("cpu", "the tool used more than its CPU time limit of %ss" % limits["cpu"])
        if sig == signal.SIGXFSZ:
            return failure("output", "the tool wrote a file larger than %d bytes" % limits["memory"])
        return failure("killed", "the tool's process was killed by %s" % signal_name(sig)
                       + (" (out of memory?)" if sig in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS) else ""))
    try:
        reply = json.loads(bytes(result).decode("utf-8")) if result else None
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        code = os.waitstatus_to_exitcode(status)
        return failure("killed", "the tool's process exited (status %d) without returning" % code)
    return reply


def failure(kind, message):
    return {"status": "error", "failure": kind, "error": message}


# ---- the tool's process ----

def run_tool(request, out_w, err_w, res_w):
    me = os.getpid()
    if not ISOLATED:
        os.setpgid(0, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.dup2(res_w, 3)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.closerange(4, 65536)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                  line_buffering=True, write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                  line_buffering=True, write_through=True)
    limits = request["limits"]
    if ISOLATED:
        os.chdir("/tmp")
    os.environ.clear()
    os.environ.update(BASE_ENV)
    os.environ.update(request.get("env") or {})
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (int(limits["cpu"]), int(limits["cpu"]) + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory"], limits["memory"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["memory"], limits["memory"]))
    resource.setrlimit(resource.RLIMIT_NPROC, (OWN_PROCESSES + limits["processes"],) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    try:
        if request["op"] == "schema":
            try:
                reply = {"status": "success", "schema": derive_schema(request["source"])}
            except Refused as e:
                reply = failure("refused", str(e))
        else:
            reply = call(request, limits)
    except MemoryError:
        reply = failure("memory", "the tool ran out of memory (limit %d MiB)" % (limits["memory"] >> 20))
    except BaseException as e:  # the tool's own failure, SystemExit and KeyboardInterrupt included
        reply = exception_reply(e, limits)
    flush()
    if os.getpid() == me:  # a process the tool forked must not answer in its name
        payload = json.dumps(reply, ensure_ascii=True).encode("ascii")
        view = memoryview(payload)
        while view:
            view = view[os.write(3, view):]
    os._exit(0)


def call(request, limits):
    source = request["source"]
    linecache.cache["<tool>"] = (len(source), None, source.splitlines(True), "<tool>")
    namespace = {"__name__": "__tool__", "__builtins__": builtins}
    try:
        code = compile(source, "<tool>", "exec")
    except (SyntaxError, ValueError) as e:
        return failure("bad_source", "the tool's source does not compile: %s" % e)
    exec(code, namespace)
    function = namespace.get(request["function"])
    if not callable(function):
        return failure("no_function", "the tool's source defines no function named %r" % request["function"])
    started = time.perf_counter()
    value = function(**request["args"])
    if isinstance(value, types.CoroutineType):  # an async def tool
        import asyncio
        value = asyncio.run(value)
    micros = int((time.perf_counter() - started) * 1e6)
    if isinstance(value, str):
        text = value
    elif value is None:
        text = "None"  # as Letta stringifies it
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError) as e:
            return failure("not_serialisable", "the tool returned a value that is not JSON-serialisable: %s" % e)
    limit = limits["return_chars"]
    truncated = len(text) > limit
    if truncated:
        # Letta's wording, so that a model trained on Letta's returns reads it the same way
        text = text[:limit] + "... [NOTE: function output was truncated since it exceeded the character limit" \
            " (%d > %d)]" % (len(text), limit)
    return {"status": "success", "return": text, "truncated": truncated, "function_us": micros}


def exception_reply(e, limits):
    last = traceback.format_exception_only(type(e), e)[-1].strip()
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == "<tool>"]
    try:
        sys.stderr.write("Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) + last
                         + "\n")
    except BaseException:
        pass
    if isinstance(e, BlockingIOError) and e.errno == errno.EAGAIN and starting_process(e):
        return failure("processes", "the tool reached its limit of %d processes (%s)" % (limits["processes"], last))
    if isinstance(e, OSError) and e.errno == errno.EFBIG:
        return failure("output", "the tool wrote a file larger than %d bytes (%s)" % (limits["memory"], last))
    return failure("exception", last)


def starting_process(e):
    """Whether EAGAIN came from starting a process (os.fork, subprocess, multiprocessing): RLIMIT_NPROC's error,
    where a non-blocking socket's EAGAIN comes from elsewhere."""
    frames = traceback.extract_tb(e.__traceback__)
    last = frames[-1] if frames else None
    return last is not None and (last.name in ("_execute_child", "_launch", "_fork_exec") or "fork" in (last.line or ""))


def flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


# ---- framing ----

def read_line(fd, unbuffered):
    """One line from fd without reading past it when unbuffered (the rest of the pipe belongs to the supervisor)."""
    buf = bytearray()
    while True:
        chunk = os.read(fd, 1 if unbuffered else 65536)
        if not chunk:
            return bytes(buf)
        buf += chunk
        if buf.endswith(b"\n"):
            return bytes(buf)


def write_frame(frame):
    payload = json.dumps(frame, ensure_ascii=True).encode("ascii") + b"\n"
    view = memoryview(payload)
    while view:
        view = view[os.write(1, view):]


def signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "signal %d" % number


if __name__ == "__main__":
    main()
