/* Title bars (csrc/16_decor.c), shared with cffi (cdef/16_decor.h).
 * No include guard or macros: build.py inlines this file into the cdef. */
struct comp_decor_style {
	int height;  /* of the bar, above the window geometry */
	int button;  /* width of each button, right-aligned in the bar */
	int padding; /* left of the title */
	float focused[4], unfocused[4]; /* bar colours, premultiplied RGBA */
	float close[4], maximize[4];    /* button colours */
};

/* The window a title bar follows, filled in by Python from pywlroots' xdg structs (this
 * module cannot include wlr_xdg_shell.h: it needs a generated protocol header). Every
 * pointer lives as long as the xdg surface, which outlives the title bar. */
struct comp_decor_window {
	struct wlr_surface *surface;         /* its commits: the geometry may have changed */
	struct wlr_xdg_surface *xdg_surface; /* for wlr_xdg_surface_get_geometry */
	void *configure_signal;              /* &xdg_surface->events.configure, map, unmap */
	void *map_signal;
	void *unmap_signal;
	const bool *activated;  /* &toplevel->scheduled.activated: what a configure sends */
	const bool *fullscreen; /* &toplevel->scheduled.fullscreen */
	bool mapped;            /* xdg_surface->mapped now */
};

/* What a node of a title bar is. */
enum comp_decor_part {
	COMP_DECOR_NONE = 0,
	COMP_DECOR_BAR = 1, /* the bar or its title: moves the window */
	COMP_DECOR_CLOSE = 2,
	COMP_DECOR_MAXIMIZE = 3,
};
