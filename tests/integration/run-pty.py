#!/usr/bin/env python3
"""Run a command on a new controlling terminal, and type at it once it is
up, for the tests of what aliasctl run does with a terminal's signals.

  run-pty.py UPFILE KEYS CMD [ARG...]
      Start CMD in a new session whose controlling terminal is a new
      pseudo-terminal (its stdin, stdout and stderr), as the foreground
      process group. Once UPFILE exists (polled, for at most 30 s), write
      KEYS to the terminal (Python escapes: \\x03 is ^C). Everything CMD
      writes goes to our stdout. Exits with CMD's status (128 + N when
      killed by signal N), 99 if UPFILE never appeared, 98 if CMD was
      still running 120 s after the keys (then it is killed).
      CMD starts with the terminal's signals at their defaults, as a
      login on a terminal has them: a test run in the background (where
      the shell ignores SIGINT and SIGQUIT) must not hand that on.
"""
import os
import select
import signal
import sys
import termios
import time

TERMINAL_SIGNALS = (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP,
                    signal.SIGHUP, signal.SIGTERM)


def main():
    up, keys, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    keys = keys.encode().decode("unicode_escape").encode("latin-1")
    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        os.close(master)
        for sig in TERMINAL_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        os.setsid()
        import fcntl
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.execvp(argv[0], argv)
    os.close(slave)
    deadline = time.monotonic() + 30
    sent = False
    status = None
    while True:
        if not sent and os.path.exists(up):
            os.write(master, keys)
            sent = True
            deadline = time.monotonic() + 120
        if status is None and time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return 98 if sent else 99
        r, _, _ = select.select([master], [], [], 0.05)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                data = b""
            if data:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            elif status is not None:
                break
        if status is None:
            wpid, st = os.waitpid(pid, os.WNOHANG)
            if wpid:
                status = st
                if not r:
                    break
        elif not r:
            break
    os.close(master)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


sys.exit(main())
