/* Reasons a connection was refused (counters and log lines): shared by cdef/18_accept.h and
 * csrc/18_accept.c. */
#define COMP_REFUSED_TOTAL 0      /* --max-clients */
#define COMP_REFUSED_PROCESS 1    /* --max-client-connections */
#define COMP_REFUSED_FDS 2        /* the process is out of file descriptors */
#define COMP_REFUSED_ERROR 3      /* accept() or wl_client_create() failed otherwise */
#define COMP_REFUSED_REASONS 4
