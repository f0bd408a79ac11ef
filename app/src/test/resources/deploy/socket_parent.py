"""Holds a listening socket and starts Lastcall on it, as systemd does with a socket unit.

usage: python3 socket_parent.py JAVA JAR LOG_DIR NOTIFY_SOCKET [JVM-OPTION...]

The jar runs with the JVM options given (the units' @jvm.options and AOT cache, say), or with
just the two the jar needs.

Binds 127.0.0.1 on a free port, prints "listening PORT", then reads commands, one a line:
  start MODE  starts the jar on the held socket and answers "started PID LOGFILE"; MODE is
              fd3 (fd 3 with LISTEN_FDS=1 and LISTEN_PID, as Accept=no passes it),
              stdin (fd 0, as StandardInput=socket passes it), or
              fd3-not-listening (fd 3 is a bound TCP socket that does not listen)
  stop        sends SIGTERM to the jar and answers "exited STATUS" when it has ended
  wait        answers "exited STATUS" when the jar has ended by itself
  quit        ends (also at the end of input); a jar still running gets SIGKILL
  hup         sends SIGHUP to the service's main process (a hot handover) and answers "hup PID"
  waitpid PID answers "exited STATUS" when process PID (the jar, or a successor) has ended
Like systemd, it is a subreaper, so a successor whose parent (the old jar) exits becomes its
child; a notification MAINPID=N makes N the main process that stop, hup and quit signal.
Each datagram on NOTIFY_SOCKET (a path, or @name for an abstract one) is printed as
"notify PID MESSAGE", PID from the sender's credentials, MESSAGE as a JSON string.
The jar's stdout and stderr go to LOG_DIR/lastcall-N.log. LASTCALL_HTTP_PORT is set to the held
port, so a jar that binds the port instead of taking the socket fails to start. With
WATCHDOG_USEC in its environment, the jar also gets WATCHDOG_PID, its own pid, as from systemd.
"""
import json
import os
import signal
import socket
import struct
import sys
import threading
import ctypes

PR_SET_CHILD_SUBREAPER = 36
main_pid = [None]

JAVA_FLAGS = ["--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"]
CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid
output_lock = threading.Lock()


def say(*words):
    with output_lock:
        sys.stdout.write(" ".join(str(word) for word in words) + "\n")
        sys.stdout.flush()


def receive_notifications(notifications):
    while True:
        data, ancillary, _, _ = notifications.recvmsg(65536, socket.CMSG_SPACE(CREDENTIALS.size))
        pid = -1
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = CREDENTIALS.unpack(payload[:CREDENTIALS.size])[0]
        message = data.decode("utf-8")
        for field in message.split("\n"):
            if field.startswith("MAINPID="):
                main_pid[0] = int(field[len("MAINPID="):])
        say("notify", pid, json.dumps(message))


def start(mode, listener, java, jar, log_path, notify_socket):
    passed = listener
    if mode == "fd3-not-listening":
        passed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        passed.bind(("127.0.0.1", 0))
    elif mode not in ("fd3", "stdin"):
        raise ValueError("unknown mode " + mode)
    pid = os.fork()
    if pid == 0:
        try:
            log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(log, 1)
            os.dup2(log, 2)
            environment = dict(os.environ)
            environment.pop("LISTEN_PID", None)
            environment.pop("LISTEN_FDS", None)
            environment["NOTIFY_SOCKET"] = notify_socket
            environment["LASTCALL_HTTP_PORT"] = str(listener.getsockname()[1])
            copy = os.dup(passed.fileno())
            if mode == "stdin":
                os.dup2(copy, 0)
            else:
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                os.dup2(copy, 3)
                os.set_inheritable(3, True)
                environment["LISTEN_FDS"] = "1"
                # the exec keeps the process id, so this names the JVM
                environment["LISTEN_PID"] = str(os.getpid())
            if "WATCHDOG_USEC" in environment:  # systemd names the main process the watchdog listens to
                environment["WATCHDOG_PID"] = str(os.getpid())
            os.execve(java, [java, *JAVA_FLAGS, "-jar", jar], environment)
        finally:
            os._exit(127)
    if passed is not listener:
        passed.close()
    return pid


def exit_status(pid):
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main():
    java, jar, log_dir, notify_socket = sys.argv[1:5]
    if len(sys.argv) > 5:  # the JVM options to start the jar with, e.g. @config/jvm.options
        JAVA_FLAGS[:] = sys.argv[5:]
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    notifications = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notifications.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    notifications.bind("\0" + notify_socket[1:] if notify_socket.startswith("@") else notify_socket)
    threading.Thread(target=receive_notifications, args=(notifications,), daemon=True).start()
    say("listening", listener.getsockname()[1])

    child = None
    started = 0
    try:
        for line in sys.stdin:
            command = line.split()
            if not command:
                continue
            if command[0] == "start":
                started += 1
                log_path = os.path.join(log_dir, "lastcall-%d.log" % started)
                child = start(command[1], listener, java, jar, log_path, notify_socket)
                main_pid[0] = child
                say("started", child, log_path)
            elif command[0] == "hup":
                os.kill(main_pid[0], signal.SIGHUP)
                say("hup", main_pid[0])
            elif command[0] == "waitpid":
                say("exited", exit_status(int(command[1])))
            elif command[0] == "stop":
                child = main_pid[0]
                os.kill(child, signal.SIGTERM)
                say("exited", exit_status(child))
                child = None
                main_pid[0] = None
            elif command[0] == "wait":
                say("exited", exit_status(child))
                child = None
                main_pid[0] = None
            elif command[0] == "quit":
                break
            else:
                say("error", "unknown command", command[0])
    finally:
        child = main_pid[0] if main_pid[0] is not None else child
        if child is not None:
            try:
                os.kill(child, signal.SIGKILL)
                exit_status(child)
            except (ProcessLookupError, ChildProcessError):
                pass


if __name__ == "__main__":
    main()
