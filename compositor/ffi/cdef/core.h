/* Core wlroots entry points that pywlroots 0.15.24 does not bind (all exported by
 * libwlroots.so.10): renderer and allocator setup owned by the compositor, nested and
 * headless backends, presentation-time. Opaque types are declared once here. */
#include <wayland-server-core.h>
#include <wlr/backend.h>
#include <wlr/backend/headless.h>
#include <wlr/backend/wayland.h>
#include <wlr/backend/x11.h>
#include <wlr/interfaces/wlr_output.h>
#include <wlr/render/gles2.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/allocator.h>
#include <wlr/types/wlr_linux_dmabuf_v1.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_scene.h>
struct wl_display;
struct wl_client;
struct wl_resource;
struct wlr_backend;
struct wlr_renderer;
struct wlr_allocator;
struct wlr_scene;
struct wlr_output;
struct wlr_presentation;
struct wlr_input_device;
struct wlr_linux_dmabuf_v1;

bool wlr_renderer_init_wl_shm(struct wlr_renderer *r, struct wl_display *wl_display);
struct wlr_renderer *wlr_pixman_renderer_create(void);
struct wlr_renderer *wlr_gles2_renderer_create_with_drm_fd(int drm_fd);
bool wlr_renderer_is_gles2(struct wlr_renderer *wlr_renderer);
bool wlr_renderer_is_pixman(struct wlr_renderer *wlr_renderer);
int wlr_renderer_get_drm_fd(struct wlr_renderer *r);
void wlr_renderer_destroy(struct wlr_renderer *renderer);
void wlr_allocator_destroy(struct wlr_allocator *alloc);
int wlr_backend_get_drm_fd(struct wlr_backend *backend);

struct wlr_linux_dmabuf_v1 *wlr_linux_dmabuf_v1_create(struct wl_display *display,
	struct wlr_renderer *renderer);

struct wlr_presentation *wlr_presentation_create(struct wl_display *display,
	struct wlr_backend *backend);
void wlr_scene_set_presentation(struct wlr_scene *scene,
	struct wlr_presentation *presentation);

struct wlr_backend *wlr_wl_backend_create(struct wl_display *display, const char *remote);
struct wlr_output *wlr_wl_output_create(struct wlr_backend *backend);
struct wlr_backend *wlr_x11_backend_create(struct wl_display *display, const char *x11_display);
struct wlr_output *wlr_x11_output_create(struct wlr_backend *backend);
struct wlr_output *wlr_headless_add_output(struct wlr_backend *backend,
	unsigned int width, unsigned int height);
bool wlr_backend_is_wl(struct wlr_backend *backend);
bool wlr_backend_is_x11(struct wlr_backend *backend);

/* Client bookkeeping for logs and the control socket. */
void wl_client_get_credentials(struct wl_client *client, int32_t *pid, uint32_t *uid, uint32_t *gid);
int wl_client_get_fd(struct wl_client *client);
bool wlr_output_is_headless(struct wlr_output *output);

/* Hotplug on the headless backend (control socket: output-add / output-remove). */
void wlr_output_destroy(struct wlr_output *output);
