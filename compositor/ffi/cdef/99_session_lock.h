/* ext-session-lock-v1, which wlroots 0.15 lacks: the protocol, the lock surface role and its
 * checks in C (csrc/99_session_lock.c); what locking means (outputs blanked, input only to
 * lock surfaces, a lock that outlives its client) is shell/session_lock.py's, told through
 * comp_py_session_lock. */
#include "99_session_lock_types.h"

extern "Python" void comp_py_session_lock(void *handle, int kind, void *object);

struct comp_session_lock_manager;
/* The ext_session_lock_manager_v1 global (version 1). */
struct comp_session_lock_manager *comp_session_lock_manager_create(struct wl_display *display,
	void *handle);
/* Removes the global; every lock and lock surface left is made inert (no more calls). */
void comp_session_lock_manager_destroy(struct comp_session_lock_manager *manager);

void comp_session_lock_send_locked(comp_session_lock *lock);
void comp_session_lock_send_finished(comp_session_lock *lock);
/* Is `surface` (or the surface its subsurface tree hangs from) a lock surface of `lock`? */
bool comp_session_lock_owns(comp_session_lock *lock, struct wlr_surface *surface);
/* A configure with this size (surface-local); returns its serial. */
uint32_t comp_lock_surface_configure(comp_lock_surface *surface, uint32_t width,
	uint32_t height);

/* While locked, the scene shows only the lock: every child of the scene root but `keep` is
 * disabled, and remembered (a node destroyed meanwhile is forgotten); calling it again
 * disables children added since. comp_scene_show_others enables them again. Returns how
 * many are hidden now. */
size_t comp_scene_hide_others(struct comp_session_lock_manager *manager,
	struct wlr_scene_node *root, struct wlr_scene_node *keep);
void comp_scene_show_others(struct comp_session_lock_manager *manager);
/* wlr_scene_rect_set_size, for the solid colour behind an output's lock surface. */
void comp_lock_rect_set_size(struct wlr_scene_rect *rect, int width, int height);
