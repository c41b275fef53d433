/* Wayland -> X11 drops: see xwayland_dnd.h.
 *
 * What wlroots 0.15 does at a drop over an X11 window: the drag's drop signal makes the xwm
 * send XdndDrop; then the drag ends, and drag_destroy() first clears the drag's focus,
 * which the xwm hears on the drag's focus signal as "the pointer left the X11 window": it
 * sends XdndLeave and sets its drag_focus to NULL. The X11 target, reading the drop, asks
 * for XdndSelection: refused, since neither an X11 window has the keyboard nor drag_focus
 * is set; its XdndFinished is ignored as not from drag_focus. (sway 1.7 hides the first half
 * by giving the window under the pointer the keyboard when a drag ends.)
 *
 * The fix, where it lives: at a drop onto an X11 window the xwm's focus listener is taken
 * off this drag's focus signal, so the end of the drag leaves drag_focus on the target. The
 * xwm itself lets go of it when the data source goes (its seat_drag_source_destroy): after
 * XdndFinished (the Wayland source hears dnd_finished and destroys its source), or when
 * the next drag starts, or the source's client goes. Meanwhile the xwm holds a pointer to
 * the X11 window: if that window is destroyed first, the source is cancelled here, which
 * makes the xwm drop the pointer before anything can read it. While the drag is on, an X11
 * window under it that goes clears the drag's focus first (watch_focus_gone).
 *
 * The xwm's listener is found by its neighbours, not by its address: struct wlr_xwm (0.15,
 * private) has seat_drag_focus, seat_drag_motion and seat_drag_drop one after the other, so
 * a listener on the focus signal is the xwm's when the next one in memory is on the motion
 * signal and the one after on the drop signal. wlroots is pinned to 0.15.1 (scripts/). */
#include <stdint.h>
#include <stdlib.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/util/log.h>
#include <wlr/xwayland.h>
#include "internal.h"
#include "xwayland_dnd.h"

struct xdnd_watch {
	struct wlr_drag *drag;
	struct wlr_surface *focus;    /* an X11 window's surface under the drag, or NULL */
	struct wl_listener focus_change;
	struct wl_listener focus_surface_destroy;
	struct wl_listener focus_window_destroy;
	struct wl_listener drop;
	struct wl_listener destroy;
};

struct xdnd_drop {
	struct wlr_data_source *source;
	struct wlr_xwayland_surface *target;
	struct wl_listener source_destroy;
	struct wl_listener target_destroy;
};

static int live_watches, live_drops, drops;

static bool listener_on(struct wl_signal *signal, const struct wl_listener *wanted) {
	struct wl_listener *listener;
	wl_list_for_each(listener, &signal->listener_list, link) {
		if (listener == wanted) {
			return true;
		}
	}
	return false;
}

/* The xwm's listener on this drag's focus signal, or NULL (no xwm, or not listening). */
static struct wl_listener *xwm_focus_listener(struct wlr_drag *drag) {
	struct wl_listener *listener;
	wl_list_for_each(listener, &drag->events.focus.listener_list, link) {
		/* Compared as addresses only: nothing is read through them unless found. */
		uintptr_t next = (uintptr_t)listener + sizeof(struct wl_listener);
		uintptr_t after = next + sizeof(struct wl_listener);
		if (listener_on(&drag->events.motion, (struct wl_listener *)next) &&
				listener_on(&drag->events.drop, (struct wl_listener *)after)) {
			return listener;
		}
	}
	return NULL;
}

static void drop_free(struct xdnd_drop *drop) {
	wl_list_remove(&drop->source_destroy.link);
	wl_list_remove(&drop->target_destroy.link);
	free(drop);
	live_drops--;
}

static void drop_handle_source_destroy(struct wl_listener *listener, void *data) {
	/* The xwm let go of the target too (its own listener on the same signal). */
	struct xdnd_drop *drop = wl_container_of(listener, drop, source_destroy);
	drop_free(drop);
}

static void drop_handle_target_destroy(struct wl_listener *listener, void *data) {
	struct xdnd_drop *drop = wl_container_of(listener, drop, target_destroy);
	struct wlr_data_source *source = drop->source;
	drop_free(drop);
	wlr_log(WLR_DEBUG, "xdnd: the X11 drop target went before it finished: source cancelled");
	wlr_data_source_destroy(source);  /* the xwm forgets the window; the source: cancelled */
}

static void watch_forget_focus(struct xdnd_watch *watch) {
	if (watch->focus != NULL) {
		wl_list_remove(&watch->focus_surface_destroy.link);
		wl_list_remove(&watch->focus_window_destroy.link);
		watch->focus = NULL;
	}
}

/* The X11 window under the drag goes (its wl_surface or the window itself, whichever first):
 * the drag's focus is cleared now, while the window still exists, so the xwm sends it
 * XdndLeave and forgets it. wlroots 0.15's drag does not watch its focus surface, and the
 * xwm would read the freed window at the next focus change (XdndLeave to its id). A touch
 * drag's focus cannot be cleared from outside: left as wlroots has it. */
static void watch_focus_gone(struct xdnd_watch *watch) {
	struct wlr_drag *drag = watch->drag;
	watch_forget_focus(watch);
	if (drag->grab_type == WLR_DRAG_GRAB_KEYBOARD_POINTER) {
		wlr_seat_pointer_notify_clear_focus(drag->seat);  /* the drag grab's clear_focus */
	}
}

static void watch_handle_focus_surface_destroy(struct wl_listener *listener, void *data) {
	struct xdnd_watch *watch = wl_container_of(listener, watch, focus_surface_destroy);
	watch_focus_gone(watch);
}

static void watch_handle_focus_window_destroy(struct wl_listener *listener, void *data) {
	struct xdnd_watch *watch = wl_container_of(listener, watch, focus_window_destroy);
	watch_focus_gone(watch);
}

static void watch_handle_focus_change(struct wl_listener *listener, void *data) {
	struct xdnd_watch *watch = wl_container_of(listener, watch, focus_change);
	watch_forget_focus(watch);
	struct wlr_surface *surface = watch->drag->focus;
	if (surface == NULL || !wlr_surface_is_xwayland_surface(surface)) {
		return;
	}
	struct wlr_xwayland_surface *window = wlr_xwayland_surface_from_wlr_surface(surface);
	if (window == NULL) {
		return;
	}
	watch->focus = surface;
	wl_signal_add(&surface->events.destroy, &watch->focus_surface_destroy);
	wl_signal_add(&window->events.destroy, &watch->focus_window_destroy);
}

static void watch_free(struct xdnd_watch *watch) {
	watch_forget_focus(watch);
	wl_list_remove(&watch->focus_change.link);
	wl_list_remove(&watch->drop.link);
	wl_list_remove(&watch->destroy.link);
	free(watch);
	live_watches--;
}

static void watch_handle_drop(struct wl_listener *listener, void *data) {
	struct xdnd_watch *watch = wl_container_of(listener, watch, drop);
	struct wlr_drag *drag = watch->drag;
	if (drag->source == NULL || drag->focus == NULL ||
			!wlr_surface_is_xwayland_surface(drag->focus)) {
		return;
	}
	struct wlr_xwayland_surface *target = wlr_xwayland_surface_from_wlr_surface(drag->focus);
	struct wl_listener *focus = xwm_focus_listener(drag);
	if (target == NULL || focus == NULL) {
		return;
	}
	struct xdnd_drop *drop = calloc(1, sizeof(*drop));
	if (drop == NULL) {
		wlr_log(WLR_ERROR, "xdnd: out of memory: the X11 target may not get the drop");
		return;
	}
	/* Off the focus signal, and self-linked: the xwm's own wl_list_remove of it when the
	 * drag goes stays harmless. */
	wl_list_remove(&focus->link);
	wl_list_init(&focus->link);
	drop->source = drag->source;
	drop->target = target;
	drop->source_destroy.notify = drop_handle_source_destroy;
	wl_signal_add(&drag->source->events.destroy, &drop->source_destroy);
	drop->target_destroy.notify = drop_handle_target_destroy;
	wl_signal_add(&target->events.destroy, &drop->target_destroy);
	live_drops++;
	drops++;
	wlr_log(WLR_DEBUG, "xdnd: dropped onto X11 window 0x%x: kept until the source goes",
		target->window_id);
}

static void watch_handle_destroy(struct wl_listener *listener, void *data) {
	struct xdnd_watch *watch = wl_container_of(listener, watch, destroy);
	watch_free(watch);
}

void comp_xdnd_watch(struct wlr_drag *drag) {
	struct xdnd_watch *watch = calloc(1, sizeof(*watch));
	if (watch == NULL) {
		wlr_log(WLR_ERROR, "xdnd: out of memory: an X11 target may not get this drop");
		return;
	}
	watch->drag = drag;
	watch->focus_change.notify = watch_handle_focus_change;
	wl_signal_add(&drag->events.focus, &watch->focus_change);
	watch->focus_surface_destroy.notify = watch_handle_focus_surface_destroy;
	watch->focus_window_destroy.notify = watch_handle_focus_window_destroy;
	watch->drop.notify = watch_handle_drop;
	wl_signal_add(&drag->events.drop, &watch->drop);
	watch->destroy.notify = watch_handle_destroy;
	wl_signal_add(&drag->events.destroy, &watch->destroy);
	live_watches++;
}

int comp_xdnd_live_watches(void) {
	return live_watches;
}

int comp_xdnd_live_drops(void) {
	return live_drops;
}

int comp_xdnd_drops(void) {
	return drops;
}
