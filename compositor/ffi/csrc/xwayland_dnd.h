/* Wayland -> X11 drops (input/drag.py; csrc/xwayland_dnd.c): wlroots 0.15's XDND bridge
 * forgets the X11 target as the drag ends, before the target has read the data, so the
 * target's conversion of XdndSelection is refused ("no xwayland surface focused") and its
 * XdndFinished ignored. comp_xdnd_watch(drag) keeps the target for the drop of that drag
 * (until the data source goes, as wlroots meant to: "the target will read the drag source
 * right after"); an X11 window that goes before it finished cancels the source. */
#pragma once

struct wlr_drag;

void comp_xdnd_watch(struct wlr_drag *drag);
/* Drags watched and drops onto X11 windows still kept (0 and 0 when none is on). */
int comp_xdnd_live_watches(void);
int comp_xdnd_live_drops(void);
/* Drops onto X11 windows since start (a Wayland source's data offered to an X11 target). */
int comp_xdnd_drops(void);
