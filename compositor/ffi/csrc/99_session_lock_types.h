/* ext-session-lock-v1 (csrc/99_session_lock.c), shared with cffi (cdef/99_session_lock.h).
 * No include guard or macros: build.py inlines this file. */
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
