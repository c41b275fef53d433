/* The lock's events for Python (csrc/session_lock.h). */
extern "Python+C" void comp_py_session_lock(void *handle, int kind, void *object);
