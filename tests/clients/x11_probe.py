"""An X11 window that says what it gets: run it with the system Python
(``/usr/bin/python3``: python-xlib comes from Debian's python3-xlib, not from the venv).

One top-level window filled with one colour (its background pixel: the X server paints it,
so tests find it in screenshots), managed or override-redirect. It prints one line per
event, flushed:

    mapped WINDOW_ID | configure X Y W H | press BUTTON X Y ROOT_X ROOT_Y |
    release BUTTON X Y ROOT_X ROOT_Y | key KEYSYM_NAME | focus in|out |
    state ATOM,ATOM,... | delete | synced TOKEN | xdnd enter|position|drop|leave

``configure``: each ConfigureNotify of the window (X, Y: its position on the root window,
which is the compositor's layout). ``press``/``release``: window-relative and root
coordinates. ``state``: each change of its _NET_WM_STATE. ``delete``: WM_DELETE_WINDOW came;
the probe then exits 0 (with ``--no-delete`` it does not take part in WM_DELETE_WINDOW).

With ``--xdnd-target`` the window is an XDND drop target (XdndAware 5) that accepts every
position (XdndStatus: accept, XdndActionCopy) and, dropped on, says so and nothing more: it
never asks for the data nor sends XdndFinished (a target that hangs or dies mid-drop).

On stdin, one command per line: ``sync TOKEN`` (a round trip, then ``synced TOKEN``),
``move X Y`` and ``resize W H`` (ConfigureWindow: a request to the window manager for a
managed window, done at once for an override-redirect one), ``state add|remove ATOM
[ATOM]`` (a _NET_WM_STATE client message, e.g. ``_NET_WM_STATE_FULLSCREEN``), ``quit``.

    /usr/bin/python3 tests/clients/x11_probe.py --class test.x11 --color ff0000 \\
        --size 200x100 [--position 150,80] [--override-redirect] [--moveresize]
"""

from __future__ import annotations

import argparse
import os
import select
import sys
import time

from Xlib import XK, X, Xatom, Xutil, display
from Xlib.protocol import event as xevent

NET_WM_MOVERESIZE_MOVE = 8


def say(*words: object) -> None:
    print(*words, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--class", dest="wm_class", default="test.x11")
    parser.add_argument("--title", default="x11 probe")
    parser.add_argument("--color", default="ff0000")
    parser.add_argument("--size", default="200x100")
    parser.add_argument("--position", help="X,Y: created there, with USPosition in WM_NORMAL_HINTS")
    parser.add_argument("--override-redirect", action="store_true")
    parser.add_argument("--no-delete", action="store_true", help="no WM_DELETE_WINDOW")
    parser.add_argument(
        "--moveresize", action="store_true", help="a left press asks for a move (EWMH)"
    )
    parser.add_argument("--state", action="append", default=[], help="_NET_WM_STATE at map")
    parser.add_argument(
        "--grab-keyboard", action="store_true", help="grab the keyboard once mapped (dmenu)"
    )
    parser.add_argument("--type", help="_NET_WM_WINDOW_TYPE, e.g. _NET_WM_WINDOW_TYPE_POPUP_MENU")
    parser.add_argument("--xdnd-target", action="store_true", help="an XDND target that stalls")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    x, y = (int(v) for v in args.position.split(",")) if args.position else (0, 0)

    d = display.Display()
    screen = d.screen()
    atom = d.intern_atom
    window = screen.root.create_window(
        x,
        y,
        width,
        height,
        0,
        screen.root_depth,
        X.InputOutput,
        X.CopyFromParent,
        background_pixel=int(args.color, 16),
        override_redirect=args.override_redirect,
        event_mask=X.StructureNotifyMask,
    )
    if args.state and not args.override_redirect:
        # The window manager reads _NET_WM_STATE when it sees the property change, once it
        # has selected PropertyChange on the new window (an X race every client has): wait
        # for that before setting states "before mapping", so the test is deterministic.
        deadline = time.monotonic() + 10
        while not window.get_attributes().all_event_masks & X.PropertyChangeMask:
            if time.monotonic() > deadline:
                sys.exit("the window manager never selected PropertyChange on the window")
            time.sleep(0.01)
    window.change_attributes(
        event_mask=(
            X.StructureNotifyMask
            | X.ButtonPressMask
            | X.ButtonReleaseMask
            | X.KeyPressMask
            | X.FocusChangeMask
            | X.PropertyChangeMask
        )
    )
    window.set_wm_name(args.title)
    window.set_wm_class(args.wm_class, args.wm_class)
    window.change_property(atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
    if args.position:
        window.set_wm_normal_hints(
            flags=Xutil.USPosition | Xutil.USSize, x=x, y=y, width=width, height=height
        )
    if not args.no_delete:
        window.set_wm_protocols([atom("WM_DELETE_WINDOW")])
    if args.type:
        window.change_property(atom("_NET_WM_WINDOW_TYPE"), Xatom.ATOM, 32, [atom(args.type)])
    if args.xdnd_target:
        window.change_property(atom("XdndAware"), Xatom.ATOM, 32, [5])
    if args.state:
        window.change_property(
            atom("_NET_WM_STATE"), Xatom.ATOM, 32, [atom(name) for name in args.state]
        )
    window.map()
    d.flush()

    wm_protocols, wm_delete = atom("WM_PROTOCOLS"), atom("WM_DELETE_WINDOW")
    net_wm_state = atom("_NET_WM_STATE")
    xdnd = {atom(f"Xdnd{name}"): name.lower() for name in ("Enter", "Position", "Drop", "Leave")}

    def xdnd_status(source: int) -> None:
        """Accept, as a copy, and ask for every position (flags 1 | 2)."""
        reply = xevent.ClientMessage(
            window=source,
            client_type=atom("XdndStatus"),
            data=(32, [window.id, 3, 0, 0, atom("XdndActionCopy")]),
        )
        d.create_resource_object("window", source).send_event(reply)
        d.flush()

    def client_message(message_type: int, data: list[int]) -> None:
        message = xevent.ClientMessage(
            window=window, client_type=message_type, data=(32, (data + [0] * 5)[:5])
        )
        screen.root.send_event(
            message, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask
        )
        d.flush()

    def handle(ev) -> bool:
        """False: the probe is done."""
        if ev.type == X.MapNotify and ev.window == window:
            if args.grab_keyboard:
                window.grab_keyboard(True, X.GrabModeAsync, X.GrabModeAsync, X.CurrentTime)
            say("mapped", hex(window.id))
        elif ev.type == X.ConfigureNotify and ev.window == window:
            say("configure", ev.x, ev.y, ev.width, ev.height)
        elif ev.type in (X.ButtonPress, X.ButtonRelease):
            kind = "press" if ev.type == X.ButtonPress else "release"
            say(kind, ev.detail, ev.event_x, ev.event_y, ev.root_x, ev.root_y)
            if kind == "press" and ev.detail == 1 and args.moveresize:
                d.ungrab_pointer(X.CurrentTime)
                client_message(
                    atom("_NET_WM_MOVERESIZE"),
                    [ev.root_x, ev.root_y, NET_WM_MOVERESIZE_MOVE, 1, 1],
                )
        elif ev.type == X.KeyPress:
            keysym = d.keycode_to_keysym(ev.detail, 1 if ev.state & X.ShiftMask else 0)
            say("key", XK.keysym_to_string(keysym) or hex(keysym))
        elif ev.type in (X.FocusIn, X.FocusOut):
            say("focus", "in" if ev.type == X.FocusIn else "out")
        elif ev.type == X.PropertyNotify and ev.atom == net_wm_state:
            prop = window.get_full_property(net_wm_state, Xatom.ATOM)
            names = [d.get_atom_name(a) for a in (prop.value if prop else [])]
            say("state", ",".join(sorted(names)))
        elif ev.type == X.ClientMessage and ev.client_type in xdnd and args.xdnd_target:
            kind = xdnd[ev.client_type]
            if kind == "position":
                xdnd_status(ev.data[1][0])
            say("xdnd", kind)
        elif ev.type == X.ClientMessage and ev.client_type == wm_protocols:
            if ev.data[1][0] == wm_delete:
                say("delete")
                return False
        return True

    def command(line: str) -> bool:
        words = line.split()
        if not words:
            return True
        if words[0] == "sync":
            d.sync()
            say("synced", *words[1:])
        elif words[0] == "move":
            window.configure(x=int(words[1]), y=int(words[2]))
        elif words[0] == "resize":
            window.configure(width=int(words[1]), height=int(words[2]))
        elif words[0] == "state":
            action = {"remove": 0, "add": 1, "toggle": 2}[words[1]]
            second = atom(words[3]) if len(words) > 3 else 0
            client_message(net_wm_state, [action, atom(words[2]), second, 1])
        elif words[0] == "quit":
            return False
        d.flush()
        return True

    stdin = sys.stdin.fileno()
    buffered = b""
    while True:
        while d.pending_events():
            if not handle(d.next_event()):
                return 0
        readable, _, _ = select.select([d.fileno(), stdin], [], [])
        if stdin in readable:
            chunk = os.read(stdin, 4096)
            if not chunk:
                return 0
            buffered += chunk
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                if not command(line.decode()):
                    return 0
        # pending_events() at the top of the loop reads what the server sent.


if __name__ == "__main__":
    sys.exit(main())
