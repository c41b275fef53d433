/* ext-session-lock-v1 (csrc/session_lock.h): the objects, the lock surface role and the
 * protocol errors. Python (shell/session_lock.py) decides whether a lock is granted, what
 * is shown and who gets input. */
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>

#include "ext-session-lock-v1-protocol.h"
#include "internal.h"
#include "session_lock.h"

#define SESSION_LOCK_VERSION 1


struct comp_session_lock_manager {
	struct wl_display *display;
	struct wl_global *global;
	void *handle; /* NULL once destroyed: no more calls into Python */
	struct wl_list locks; /* struct sl_lock.link */
	struct wl_list hidden; /* struct sl_hidden_node.link */
	struct wl_list resources; /* bound ext_session_lock_manager_v1 resources */
};

struct sl_lock {
	comp_session_lock pub;
	struct comp_session_lock_manager *manager;
	struct wl_resource *resource;
	struct wl_list surfaces; /* struct sl_lock_surface.link */
	struct wl_list link;
};

struct sl_configure {
	uint32_t serial, width, height;
	struct wl_list link;
};

struct sl_lock_surface {
	comp_lock_surface pub;
	struct sl_lock *lock;
	struct wl_resource *resource;
	struct wl_list configures; /* struct sl_configure.link, oldest first */
	bool acked;
	uint32_t acked_width, acked_height;
	struct wl_listener surface_destroy, output_destroy;
	struct wl_list link;
};

static void sl_call_python(struct comp_session_lock_manager *manager, int kind, void *object) {
	if (manager->handle != NULL) {
		comp_py_session_lock(manager->handle, kind, object);
	}
}

/* -- lock surfaces ---------------------------------------------------------------------- */

static void sl_lock_surface_role_commit(struct wlr_surface *surface);

static const struct wlr_surface_role sl_lock_surface_role = {
	.name = "ext_session_lock_surface_v1",
	.commit = sl_lock_surface_role_commit,
};

static const struct ext_session_lock_surface_v1_interface sl_lock_surface_impl;

static struct sl_lock_surface *sl_lock_surface_from_resource(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

/* The lock surface stops being one (its object, wl_surface, output or lock went): Python
 * forgets it, then it is freed; a resource left is inert. */
static void sl_lock_surface_destroy(struct sl_lock_surface *ls) {
	if (ls->lock != NULL) {
		sl_call_python(ls->lock->manager, COMP_LOCK_SURFACE_GONE, &ls->pub);
		wl_list_remove(&ls->link);
	}
	if (ls->pub.surface != NULL && ls->pub.surface->role_data == ls) {
		ls->pub.surface->role_data = NULL; /* the wl_surface may take the role again */
	}
	struct sl_configure *configure, *tmp;
	wl_list_for_each_safe(configure, tmp, &ls->configures, link) {
		wl_list_remove(&configure->link);
		free(configure);
	}
	wl_list_remove(&ls->surface_destroy.link);
	wl_list_remove(&ls->output_destroy.link);
	if (ls->resource != NULL) {
		wl_resource_set_user_data(ls->resource, NULL);
	}
	free(ls);
}

static void sl_lock_surface_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void sl_lock_surface_handle_ack_configure(struct wl_client *client,
		struct wl_resource *resource, uint32_t serial) {
	struct sl_lock_surface *ls = sl_lock_surface_from_resource(resource);
	if (ls == NULL) {
		return;
	}
	struct sl_configure *configure, *found = NULL;
	wl_list_for_each(configure, &ls->configures, link) {
		if (configure->serial == serial) {
			found = configure;
			break;
		}
	}
	if (found == NULL) {
		wl_resource_post_error(resource, EXT_SESSION_LOCK_SURFACE_V1_ERROR_INVALID_SERIAL,
			"ack_configure serial %u was never sent or was acked already", serial);
		return;
	}
	ls->acked = true;
	ls->acked_width = found->width;
	ls->acked_height = found->height;
	/* It consumes that configure and every older one. */
	struct sl_configure *tmp;
	wl_list_for_each_safe(configure, tmp, &ls->configures, link) {
		bool last = configure == found;
		wl_list_remove(&configure->link);
		free(configure);
		if (last) {
			break;
		}
	}
}

static const struct ext_session_lock_surface_v1_interface sl_lock_surface_impl = {
	.destroy = sl_lock_surface_handle_destroy,
	.ack_configure = sl_lock_surface_handle_ack_configure,
};

static void sl_lock_surface_resource_destroy(struct wl_resource *resource) {
	struct sl_lock_surface *ls = sl_lock_surface_from_resource(resource);
	if (ls != NULL) {
		ls->resource = NULL;
		sl_lock_surface_destroy(ls);
	}
}

static void sl_lock_surface_role_commit(struct wlr_surface *surface) {
	struct sl_lock_surface *ls = surface->role_data;
	if (ls == NULL || ls->resource == NULL) {
		return;
	}
	if (!ls->acked) {
		wl_resource_post_error(ls->resource,
			EXT_SESSION_LOCK_SURFACE_V1_ERROR_COMMIT_BEFORE_FIRST_ACK,
			"lock surface committed before its first ack_configure");
		return;
	}
	if (!wlr_surface_has_buffer(surface)) {
		wl_resource_post_error(ls->resource, EXT_SESSION_LOCK_SURFACE_V1_ERROR_NULL_BUFFER,
			"lock surface committed with no buffer");
		return;
	}
	if ((uint32_t)surface->current.width != ls->acked_width ||
			(uint32_t)surface->current.height != ls->acked_height) {
		wl_resource_post_error(ls->resource,
			EXT_SESSION_LOCK_SURFACE_V1_ERROR_DIMENSIONS_MISMATCH,
			"lock surface is %dx%d, the configure acked was %ux%u",
			surface->current.width, surface->current.height, ls->acked_width,
			ls->acked_height);
		return;
	}
	if (!ls->pub.mapped && ls->lock != NULL) {
		ls->pub.mapped = true;
		sl_call_python(ls->lock->manager, COMP_LOCK_SURFACE_MAP, &ls->pub);
	}
}

static void sl_lock_surface_handle_surface_destroy(struct wl_listener *listener, void *data) {
	struct sl_lock_surface *ls = wl_container_of(listener, ls, surface_destroy);
	ls->pub.surface = NULL;
	sl_lock_surface_destroy(ls);
}

static void sl_lock_surface_handle_output_destroy(struct wl_listener *listener, void *data) {
	struct sl_lock_surface *ls = wl_container_of(listener, ls, output_destroy);
	ls->pub.output = NULL;
	sl_lock_surface_destroy(ls);
}

uint32_t comp_lock_surface_configure(comp_lock_surface *pub, uint32_t width, uint32_t height) {
	struct sl_lock_surface *ls = wl_container_of(pub, ls, pub);
	if (ls->resource == NULL || ls->lock == NULL) {
		return 0;
	}
	struct sl_configure *configure = calloc(1, sizeof(*configure));
	if (configure == NULL) {
		wl_resource_post_no_memory(ls->resource);
		return 0;
	}
	configure->serial = wl_display_next_serial(ls->lock->manager->display);
	configure->width = width;
	configure->height = height;
	wl_list_insert(ls->configures.prev, &configure->link);
	pub->width = width;
	pub->height = height;
	ext_session_lock_surface_v1_send_configure(ls->resource, configure->serial, width, height);
	return configure->serial;
}

/* -- locks ------------------------------------------------------------------------------ */

static const struct ext_session_lock_v1_interface sl_lock_impl;

static struct sl_lock *sl_lock_from_resource(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

/* The lock object goes: its surfaces stop being lock surfaces, Python forgets it. */
static void sl_lock_destroy(struct sl_lock *lock) {
	struct sl_lock_surface *ls, *tmp;
	wl_list_for_each_safe(ls, tmp, &lock->surfaces, link) {
		wl_list_remove(&ls->link);
		wl_list_init(&ls->link);
		sl_call_python(lock->manager, COMP_LOCK_SURFACE_GONE, &ls->pub);
		ls->lock = NULL; /* inert: its resource stays valid until the client destroys it */
		ls->pub.lock = NULL;
		if (ls->pub.surface != NULL && ls->pub.surface->role_data == ls) {
			ls->pub.surface->role_data = NULL;
		}
		if (ls->resource == NULL) {
			sl_lock_surface_destroy(ls);
		} else {
			wl_list_remove(&ls->surface_destroy.link);
			wl_list_init(&ls->surface_destroy.link);
			wl_list_remove(&ls->output_destroy.link);
			wl_list_init(&ls->output_destroy.link);
			ls->pub.surface = NULL;
			ls->pub.output = NULL;
		}
	}
	sl_call_python(lock->manager, COMP_LOCK_GONE, &lock->pub);
	wl_list_remove(&lock->link);
	if (lock->resource != NULL) {
		wl_resource_set_user_data(lock->resource, NULL);
	}
	free(lock);
}

static void sl_lock_resource_destroy(struct wl_resource *resource) {
	struct sl_lock *lock = sl_lock_from_resource(resource);
	if (lock != NULL) {
		lock->resource = NULL;
		sl_lock_destroy(lock);
	}
}

static void sl_lock_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	struct sl_lock *lock = sl_lock_from_resource(resource);
	if (lock != NULL && lock->pub.locked && !lock->pub.unlocked) {
		wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_INVALID_DESTROY,
			"the session is locked: only unlock_and_destroy may destroy this lock");
		return;
	}
	wl_resource_destroy(resource);
}

static void sl_lock_handle_unlock_and_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	struct sl_lock *lock = sl_lock_from_resource(resource);
	if (lock != NULL) {
		if (!lock->pub.locked) {
			wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_INVALID_UNLOCK,
				"unlock_and_destroy before the locked event");
			return;
		}
		lock->pub.unlocked = true;
		sl_call_python(lock->manager, COMP_LOCK_UNLOCK, &lock->pub);
	}
	wl_resource_destroy(resource);
}

static void sl_lock_handle_get_lock_surface(struct wl_client *client,
		struct wl_resource *lock_resource, uint32_t id,
		struct wl_resource *surface_resource, struct wl_resource *output_resource) {
	struct sl_lock *lock = sl_lock_from_resource(lock_resource);
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct wlr_output *output = wlr_output_from_resource(output_resource);
	if (wlr_surface_has_buffer(surface) || surface->pending.buffer != NULL) {
		wl_resource_post_error(lock_resource, EXT_SESSION_LOCK_V1_ERROR_ALREADY_CONSTRUCTED,
			"the wl_surface has a buffer attached or committed already");
		return;
	}
	if (lock != NULL && output != NULL) {
		struct sl_lock_surface *other;
		wl_list_for_each(other, &lock->surfaces, link) {
			if (other->pub.output == output) {
				wl_resource_post_error(lock_resource,
					EXT_SESSION_LOCK_V1_ERROR_DUPLICATE_OUTPUT,
					"output %s has a lock surface already", output->name);
				return;
			}
		}
	}
	struct sl_lock_surface *ls = calloc(1, sizeof(*ls));
	if (ls == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_list_init(&ls->configures);
	wl_list_init(&ls->link);
	wl_list_init(&ls->surface_destroy.link);
	wl_list_init(&ls->output_destroy.link);
	ls->resource = wl_resource_create(client, &ext_session_lock_surface_v1_interface,
		wl_resource_get_version(lock_resource), id);
	if (ls->resource == NULL) {
		free(ls);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(ls->resource, &sl_lock_surface_impl, ls,
		sl_lock_surface_resource_destroy);
	if (!wlr_surface_set_role(surface, &sl_lock_surface_role, ls, lock_resource,
			EXT_SESSION_LOCK_V1_ERROR_ROLE)) {
		wl_resource_set_user_data(ls->resource, NULL);
		free(ls);
		return;
	}
	if (lock == NULL || output == NULL) {
		/* An inert lock or output: the object is valid and never shown. */
		surface->role_data = NULL;
		wl_resource_set_user_data(ls->resource, NULL);
		free(ls);
		return;
	}
	ls->lock = lock;
	ls->pub.lock = &lock->pub;
	ls->pub.surface = surface;
	ls->pub.output = output;
	ls->surface_destroy.notify = sl_lock_surface_handle_surface_destroy;
	wl_signal_add(&surface->events.destroy, &ls->surface_destroy);
	ls->output_destroy.notify = sl_lock_surface_handle_output_destroy;
	wl_signal_add(&output->events.destroy, &ls->output_destroy);
	wl_list_insert(lock->surfaces.prev, &ls->link);
	sl_call_python(lock->manager, COMP_LOCK_SURFACE_NEW, &ls->pub);
}

static const struct ext_session_lock_v1_interface sl_lock_impl = {
	.destroy = sl_lock_handle_destroy,
	.get_lock_surface = sl_lock_handle_get_lock_surface,
	.unlock_and_destroy = sl_lock_handle_unlock_and_destroy,
};

void comp_session_lock_send_locked(comp_session_lock *pub) {
	struct sl_lock *lock = wl_container_of(pub, lock, pub);
	if (pub->locked || pub->finished || lock->resource == NULL) {
		return;
	}
	pub->locked = true;
	ext_session_lock_v1_send_locked(lock->resource);
}

void comp_session_lock_send_finished(comp_session_lock *pub) {
	struct sl_lock *lock = wl_container_of(pub, lock, pub);
	if (pub->finished || lock->resource == NULL) {
		return;
	}
	pub->finished = true;
	ext_session_lock_v1_send_finished(lock->resource);
}

bool comp_session_lock_owns(comp_session_lock *pub, struct wlr_surface *surface) {
	if (pub == NULL || surface == NULL) {
		return false;
	}
	struct sl_lock *lock = wl_container_of(pub, lock, pub);
	struct wlr_surface *root = wlr_surface_get_root_surface(surface);
	struct sl_lock_surface *ls;
	wl_list_for_each(ls, &lock->surfaces, link) {
		if (ls->pub.surface == root && ls->pub.mapped) {
			return true;
		}
	}
	return false;
}

/* -- the manager ------------------------------------------------------------------------ */

static void sl_manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void sl_manager_handle_lock(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct comp_session_lock_manager *manager = wl_resource_get_user_data(resource);
	if (manager == NULL || manager->handle == NULL) {
		/* The compositor is going: an inert lock, refused. */
		struct wl_resource *inert = wl_resource_create(client,
			&ext_session_lock_v1_interface, wl_resource_get_version(resource), id);
		if (inert == NULL) {
			wl_client_post_no_memory(client);
			return;
		}
		wl_resource_set_implementation(inert, &sl_lock_impl, NULL, NULL);
		ext_session_lock_v1_send_finished(inert);
		return;
	}
	struct sl_lock *lock = calloc(1, sizeof(*lock));
	if (lock == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	lock->resource = wl_resource_create(client, &ext_session_lock_v1_interface,
		wl_resource_get_version(resource), id);
	if (lock->resource == NULL) {
		free(lock);
		wl_client_post_no_memory(client);
		return;
	}
	lock->manager = manager;
	lock->pub.client = client;
	wl_list_init(&lock->surfaces);
	wl_list_insert(&manager->locks, &lock->link);
	wl_resource_set_implementation(lock->resource, &sl_lock_impl, lock,
		sl_lock_resource_destroy);
	comp_py_session_lock(manager->handle, COMP_LOCK_NEW, &lock->pub);
	if (!lock->pub.granted && !lock->pub.locked && !lock->pub.finished) {
		/* Neither granted nor refused (Python raised): refused. */
		comp_session_lock_send_finished(&lock->pub);
	}
}

static const struct ext_session_lock_manager_v1_interface sl_manager_impl = {
	.destroy = sl_manager_handle_destroy,
	.lock = sl_manager_handle_lock,
};

static void sl_manager_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void sl_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_session_lock_manager *manager = data;
	struct wl_resource *resource = wl_resource_create(client,
		&ext_session_lock_manager_v1_interface, version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &sl_manager_impl, manager,
		sl_manager_resource_destroy);
	wl_list_insert(&manager->resources, wl_resource_get_link(resource));
}

struct comp_session_lock_manager *comp_session_lock_manager_create(struct wl_display *display,
		void *handle) {
	struct comp_session_lock_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	manager->display = display;
	manager->handle = handle;
	wl_list_init(&manager->locks);
	wl_list_init(&manager->hidden);
	wl_list_init(&manager->resources);
	manager->global = wl_global_create(display, &ext_session_lock_manager_v1_interface,
		SESSION_LOCK_VERSION, manager, sl_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	return manager;
}


void comp_session_lock_manager_destroy(struct comp_session_lock_manager *manager) {
	if (manager == NULL) {
		return;
	}
	manager->handle = NULL;
	comp_scene_show_others(manager);
	struct sl_lock *lock, *tmp;
	wl_list_for_each_safe(lock, tmp, &manager->locks, link) {
		struct wl_resource *resource = lock->resource;
		lock->resource = NULL;
		sl_lock_destroy(lock);
		if (resource != NULL) {
			wl_resource_set_user_data(resource, NULL);
			wl_resource_set_destructor(resource, NULL);
		}
	}
	/* Managers bound by clients still point here: they become inert. */
	struct wl_resource *resource, *rtmp;
	wl_resource_for_each_safe(resource, rtmp, &manager->resources) {
		wl_resource_set_user_data(resource, NULL);
		wl_list_remove(wl_resource_get_link(resource));
		wl_list_init(wl_resource_get_link(resource));
	}
	wl_global_destroy(manager->global);
	free(manager);
}

/* -- the scene while locked ------------------------------------------------------------- */

struct sl_hidden_node {
	struct wlr_scene_node *node;
	struct wl_listener destroy;
	struct wl_list link;
};

static void sl_hidden_node_forget(struct sl_hidden_node *hidden) {
	wl_list_remove(&hidden->destroy.link);
	wl_list_remove(&hidden->link);
	free(hidden);
}

static void sl_hidden_node_handle_destroy(struct wl_listener *listener, void *data) {
	struct sl_hidden_node *hidden = wl_container_of(listener, hidden, destroy);
	sl_hidden_node_forget(hidden);
}

size_t comp_scene_hide_others(struct comp_session_lock_manager *manager,
		struct wlr_scene_node *root, struct wlr_scene_node *keep) {
	struct wlr_scene_node *child;
	wl_list_for_each(child, &root->state.children, state.link) {
		if (child == keep || !child->state.enabled) {
			continue;
		}
		struct sl_hidden_node *hidden = calloc(1, sizeof(*hidden));
		if (hidden == NULL) {
			continue; /* disabled all the same, never enabled again: nothing leaks */
		}
		hidden->node = child;
		hidden->destroy.notify = sl_hidden_node_handle_destroy;
		wl_signal_add(&child->events.destroy, &hidden->destroy);
		wl_list_insert(manager->hidden.prev, &hidden->link);
	}
	wl_list_for_each(child, &root->state.children, state.link) {
		if (child != keep) {
			wlr_scene_node_set_enabled(child, false);
		}
	}
	if (keep != NULL) {
		wlr_scene_node_raise_to_top(keep);
	}
	return (size_t)wl_list_length(&manager->hidden);
}

void comp_scene_show_others(struct comp_session_lock_manager *manager) {
	struct sl_hidden_node *hidden, *tmp;
	wl_list_for_each_safe(hidden, tmp, &manager->hidden, link) {
		wlr_scene_node_set_enabled(hidden->node, true);
		sl_hidden_node_forget(hidden);
	}
}

void comp_lock_rect_set_size(struct wlr_scene_rect *rect, int width, int height) {
	wlr_scene_rect_set_size(rect, width, height);
}
