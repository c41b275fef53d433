/* ext-session-lock-v1, which wlroots 0.15 lacks: the protocol, the lock surface role and its
 * checks in C (csrc/session_lock.c); what locking means (outputs blanked, input only to
 * lock surfaces, a lock that outlives its client) is shell/session_lock.py's, told through
 * comp_py_session_lock. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_display;
struct wlr_scene_node;
struct wlr_scene_rect;
struct wl_client;
struct wlr_surface;
struct wlr_output;

/* What comp_py_session_lock is called for; `object` is the lock or the lock surface. */
enum comp_session_lock_call {
	COMP_LOCK_NEW = 0, /* a client asks to lock: send `finished` before returning, or set
	                    * `granted` and send `locked` once every output shows the lock */
	COMP_LOCK_UNLOCK = 1, /* unlock_and_destroy (only after `locked`); COMP_LOCK_GONE follows */
	COMP_LOCK_GONE = 2, /* the lock object is destroyed (request, or its client went); its
	                     * surfaces went first (COMP_LOCK_SURFACE_GONE each) */
	COMP_LOCK_SURFACE_NEW = 3, /* get_lock_surface on a live output: configure it */
	COMP_LOCK_SURFACE_MAP = 4, /* its first valid commit: a buffer of the configured size */
	COMP_LOCK_SURFACE_GONE = 5, /* the lock surface object, its wl_surface, its output or
	                             * its lock went: it is freed after this call */
};

/* One ext_session_lock_v1; valid until COMP_LOCK_GONE returns. */
typedef struct {
	struct wl_client *client;
	bool granted;  /* set by Python: `locked` follows (a refusal sends `finished`) */
	bool locked;   /* `locked` was sent */
	bool finished; /* `finished` was sent */
	bool unlocked; /* the client unlocked (unlock_and_destroy) */
	void *data;    /* Python's */
} comp_session_lock;

/* One ext_session_lock_surface_v1; valid until COMP_LOCK_SURFACE_GONE returns. */
typedef struct {
	comp_session_lock *lock;
	struct wlr_surface *surface;
	struct wlr_output *output;
	bool mapped;
	uint32_t width, height; /* the last configure */
	void *data;             /* Python's */
} comp_lock_surface;

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
