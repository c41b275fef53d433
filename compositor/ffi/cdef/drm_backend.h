/* DRM/KMS backend (compositor/drm_backend): a libseat session, one wlroots DRM backend per
 * KMS device and libinput, assembled by the compositor so that each failure can be
 * explained. All but the comp_ helpers are exported by libwlroots.so.10. */
#include <wlr/backend/drm.h>
#include <wlr/backend/libinput.h>
#include <wlr/backend/multi.h>
#include <wlr/backend/session.h>
struct wlr_session {
	bool active;
	unsigned vtnr;
	...;
};
struct wlr_device {
	int fd;
	int device_id;
	...;
};

struct wlr_session *wlr_session_create(struct wl_display *disp);
void wlr_session_destroy(struct wlr_session *session);
bool wlr_session_change_vt(struct wlr_session *session, unsigned vt);
ssize_t wlr_session_find_gpus(struct wlr_session *session, size_t ret_len,
	struct wlr_device **ret);

struct wlr_backend *wlr_drm_backend_create(struct wl_display *display,
	struct wlr_session *session, struct wlr_device *dev, struct wlr_backend *parent);
bool wlr_backend_is_drm(struct wlr_backend *backend);
bool wlr_output_is_drm(struct wlr_output *output);
uint32_t wlr_drm_connector_get_id(struct wlr_output *output);
struct wlr_backend *wlr_libinput_backend_create(struct wl_display *display,
	struct wlr_session *session);
struct wlr_backend *wlr_multi_backend_create(struct wl_display *display);
bool wlr_multi_backend_add(struct wlr_backend *multi, struct wlr_backend *backend);
void wlr_backend_destroy(struct wlr_backend *backend);
