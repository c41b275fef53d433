/* A new client: its pid and uid; the callee may set its limits (comp_objects_client_set,
 * csrc/client_objects.h). */
extern "Python+C" void comp_py_client_created(struct wl_client *client, int32_t pid, uint32_t uid);
