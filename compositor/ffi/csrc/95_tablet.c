/* wlroots' wlr_tablet_v2.h includes a generated protocol header this build does not have:
 * the two entry points the compositor calls, declared as libwlroots.so.10 exports them. */
struct wl_display;
struct wlr_seat;
struct wlr_input_device;
struct wlr_tablet_manager_v2;
struct wlr_tablet_v2_tablet;
struct wlr_tablet_manager_v2 *wlr_tablet_v2_create(struct wl_display *display);
struct wlr_tablet_v2_tablet *wlr_tablet_create(struct wlr_tablet_manager_v2 *manager,
	struct wlr_seat *wlr_seat, struct wlr_input_device *wlr_device);
