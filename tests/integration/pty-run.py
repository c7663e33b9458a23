#!/usr/bin/env python3
"""Run a command with its stderr on a pseudo-terminal, for the tests of
what aliasctl shows on a terminal.

  pty-run.py LOG CMD [ARG...]
      Run CMD with stdin and stdout inherited and stderr on a new
      pseudo-terminal of 80 columns. Everything written to the terminal is
      appended to LOG as it arrives, so a test can poll LOG while CMD runs.
      Exits with CMD's status (128 + N when killed by signal N).

  pty-run.py --screen LOG
      Print what a terminal shows after receiving LOG: carriage returns,
      backspaces and line feeds applied, escape sequences dropped, trailing
      blanks removed, one line per screen line.
"""
import fcntl
import os
import struct
import subprocess
import sys
import termios


def run(log, argv):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(argv, stderr=slave)
    os.close(slave)
    with open(log, "ab", buffering=0) as out:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not data:
                break
            out.write(data)
    os.close(master)
    rc = proc.wait()
    return 128 - rc if rc < 0 else rc


def screen(log):
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    lines, line, col, i = [], [], 0, 0
    while i < len(text):
        c = text[i]
        i += 1
        if c == "\r":
            col = 0
        elif c == "\n":
            lines.append("".join(line).rstrip())
            line, col = [], 0
        elif c == "\b":
            col = max(col - 1, 0)
        elif c == "\x1b":
            # CSI: parameters up to a final byte in @..~; else one char.
            if i < len(text) and text[i] == "[":
                i += 1
                while i < len(text) and not "@" <= text[i] <= "~":
                    i += 1
            i += 1
        elif c >= " ":
            while len(line) <= col:
                line.append(" ")
            line[col] = c
            col += 1
    lines.append("".join(line).rstrip())
    while lines and lines[-1] == "":
        lines.pop()
    for l in lines:
        print(l)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--screen":
        screen(sys.argv[2])
    elif len(sys.argv) >= 3:
        sys.exit(run(sys.argv[1], sys.argv[2:]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
