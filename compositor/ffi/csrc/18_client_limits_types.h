/* wl_shm per client, counted and limited (csrc/18_client_limits.c). No include guard or
 * macros: build.py inlines this file into the cdef. */
typedef struct {
	uint32_t pools;    /* mapped: a pool counts until its last buffer goes */
	uint32_t buffers;  /* live wl_shm wl_buffers */
	uint64_t mapped;   /* bytes of the pools' mappings: address space, mostly never touched
	                    * (foot maps 512 MiB pools to scroll by moving a buffer's offset) */
	uint64_t bytes;    /* bytes of the live buffers (stride x height): what the compositor
	                    * may read, the most of the client's memory its RSS can take */
} comp_shm_usage;

typedef struct {
	uint32_t max_pools;      /* per client: --max-client-shm-pools */
	uint32_t max_buffers;    /* per client: --max-client-shm-buffers */
	uint64_t max_mapped;     /* per client: --max-client-shm-mapped */
	uint64_t max_bytes;      /* per client: --max-client-shm-bytes */
	int32_t max_size;        /* width or height of a buffer: the renderer's or --max-buffer-size */
	bool size_by_renderer;   /* max_size is the renderer's limit, not the option's */
	uint32_t max_pools_all;  /* all clients together: --max-shm-pools */
	uint64_t max_mapped_all; /* all clients together: a share of the address space */
} comp_shm_limits;

typedef struct {
	int32_t pid;
	comp_shm_usage now;
	comp_shm_usage peak;  /* the most it held at once, each figure on its own */
	uint64_t refused;     /* requests refused by a limit (the client is disconnected) */
	comp_shm_limits limits;  /* its own: the display's, or what a rule gave it */
} comp_client_shm;

typedef struct {
	comp_shm_usage now;   /* all clients, those gone whose buffers linger included */
	uint64_t refused;
	bool active;          /* false: libwayland's resource layout was not the one expected,
	                       * nothing is counted or limited (logged once) */
} comp_shm_totals;
