/* What a sandboxed connection carries (cdef/99_security_context.h and
 * csrc/99_security_context.c): each NULL where the sandbox engine did not set it. Valid
 * until the client goes. */
typedef struct {
	const char *engine;
	const char *app_id;
	const char *instance_id;
} comp_security_context_info;
