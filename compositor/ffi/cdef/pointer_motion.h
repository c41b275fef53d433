/* The pointer's C motion path calls Python for what it must decide (csrc/pointer_motion.h). */
extern "Python+C" void comp_py_pointer_motion(void *handle, int kind, void *event);
