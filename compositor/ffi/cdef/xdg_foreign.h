/* xdg-foreign v1 and v2 (a window of one client as the parent of another's: a portal's file
 * dialog over the application that asked). wlroots does the export/import and sets the
 * parent; pywlroots 0.15.24 does not bind them. */
#include <wlr/types/wlr_xdg_foreign_registry.h>
#include <wlr/types/wlr_xdg_foreign_v1.h>
#include <wlr/types/wlr_xdg_foreign_v2.h>
struct wlr_xdg_foreign_registry;
struct wlr_xdg_foreign_registry *wlr_xdg_foreign_registry_create(struct wl_display *display);
struct wlr_xdg_foreign_v1;
struct wlr_xdg_foreign_v1 *wlr_xdg_foreign_v1_create(struct wl_display *display,
	struct wlr_xdg_foreign_registry *registry);
struct wlr_xdg_foreign_v2;
struct wlr_xdg_foreign_v2 *wlr_xdg_foreign_v2_create(struct wl_display *display,
	struct wlr_xdg_foreign_registry *registry);
