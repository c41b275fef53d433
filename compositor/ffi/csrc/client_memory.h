/* Client memory read without dying for it. A client's buffer can be backed by a file it
 * truncates after the fact (a wl_shm pool's memfd, a wl_drm memfd): reading it then raises
 * SIGBUS, which would kill the compositor and every client with it. Every read of client
 * memory happens inside a guard: mark, register what is read, read, release. A fault inside
 * a registered region maps zero pages over it (the read goes on, reading zeros, as
 * libwayland does for its own wl_shm accesses), and the release tells the client with a
 * protocol error (wl_display.error, implementation) and logs it. Scopes nest; one thread. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_client;
struct wlr_scene;

size_t comp_guard_mark(void);
/* false: too many regions at once (logged once); the read is then unguarded. */
bool comp_guard_region(const void *data, size_t len, struct wl_client *client,
	const char *what, uint32_t object);
/* Ends the scope that began at mark; returns how many of its regions faulted. */
size_t comp_guard_release(size_t mark);
/* Every surface with a pixman texture in the scene, registered; returns the mark. */
size_t comp_guard_scene(struct wlr_scene *scene);
/* Faults caught since start. */
uint64_t comp_guard_faults(void);
