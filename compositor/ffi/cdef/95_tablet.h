/* tablet v2 (pywlroots 0.15.24 has no binding): the global, whose tablet seats wlroots makes
 * for clients, and the tablets announced on them (compositor/input/tablet.py). */
struct wlr_tablet_manager_v2;
struct wlr_tablet_v2_tablet;
struct wlr_tablet_manager_v2 *wlr_tablet_v2_create(struct wl_display *display);
/* Announces a tablet-tool device to every client's tablet seat on `seat`; wlroots removes it
 * when the device goes. */
struct wlr_tablet_v2_tablet *wlr_tablet_create(struct wlr_tablet_manager_v2 *manager,
	struct wlr_seat *wlr_seat, struct wlr_input_device *wlr_device);
