"""A terminal application that says what it gets, for tests of terminal emulators (foot).

Run inside the terminal; it writes one line per event to EVENTS (a file: its stdout is the
terminal), flushed:

    ready COLS ROWS XPIXELS YPIXELS | size COLS ROWS XPIXELS YPIXELS |
    press X Y | release X Y | line TEXT | eof | signal NAME

It paints a block of cells one colour (``--block ROW,COL,COLS,ROWS,RRGGBB``, 1-based, 24-bit
colour) so tests find it in screenshots, and turns on SGR-Pixels mouse reporting (DECSET
1000, 1006 and 1016): ``press X Y`` / ``release X Y`` are the pixel coordinates the terminal
reports for a left button, as it reports them. The tty is in non-canonical mode without
echo: typed characters are collected and ``line TEXT`` is written at Return. ``size``: the
window size the terminal gave the tty (TIOCGWINSZ) after each SIGWINCH; ``ready`` the first.
``signal SIGHUP`` or ``signal SIGTERM``: the terminal is going away (its window was
closed); the probe then exits.

    foot python3 tests/clients/tty_probe.py /tmp/events --block 3,5,8,2,ff00ff
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import signal
import struct
import sys
import termios

REPORT = re.compile(rb"\x1b\[<(\d+);(\d+);(\d+)([Mm])")
PARTIAL = re.compile(rb"\x1b(\[(<[\d;]*)?)?")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("events")
    parser.add_argument("--block", default="3,5,8,2,ff00ff")
    args = parser.parse_args()
    events = open(args.events, "a", buffering=1)

    def say(*words: object) -> None:
        events.write(" ".join(map(str, words)) + "\n")
        events.flush()

    def size() -> tuple[int, ...]:
        rows, cols, xpixels, ypixels = struct.unpack(
            "HHHH", fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8)
        )
        return cols, rows, xpixels, ypixels

    def ended(number, _frame):
        say("signal", signal.Signals(number).name)
        os._exit(0)

    signal.signal(signal.SIGHUP, ended)
    signal.signal(signal.SIGTERM, ended)
    signal.signal(signal.SIGWINCH, lambda *_: say("size", *size()))

    attrs = termios.tcgetattr(0)
    attrs[3] &= ~(termios.ICANON | termios.ECHO)  # lflag
    termios.tcsetattr(0, termios.TCSANOW, attrs)

    row, col, cols, rows, color = args.block.split(",")
    red, green, blue = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    out = ["\x1b[2J\x1b[?25l"]  # clear, hide the text cursor
    for r in range(int(row), int(row) + int(rows)):
        out.append(f"\x1b[{r};{col}H\x1b[48;2;{red};{green};{blue}m{' ' * int(cols)}\x1b[0m")
    out.append("\x1b[?1000h\x1b[?1006h\x1b[?1016h")
    sys.stdout.write("".join(out))
    sys.stdout.flush()
    say("ready", *size())

    pending = b""
    text = b""
    while True:
        try:
            data = os.read(0, 1024)
        except InterruptedError:
            continue
        except OSError:
            data = b""  # EIO: the terminal closed its side
        if not data:
            say("eof")
            return 0
        pending += data
        while pending:
            match = REPORT.match(pending)
            if match:
                button, x, y, kind = match.groups()
                if int(button) == 0:
                    say("press" if kind == b"M" else "release", int(x), int(y))
                pending = pending[match.end() :]
            elif PARTIAL.fullmatch(pending):
                break  # the rest of a report is still on its way
            elif pending[:1] in (b"\r", b"\n"):
                say("line", text.decode(errors="replace"))
                text = b""
                pending = pending[1:]
            else:
                text += pending[:1]
                pending = pending[1:]


if __name__ == "__main__":
    sys.exit(main())
