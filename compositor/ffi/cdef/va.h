/* libva (VA-API) for the recorder's zero-copy H.264 encoder. Only what it uses is declared;
 * every constant carries its value from /usr/include/va (libva 2.17), and csrc/va.c
 * static-asserts them and the struct layouts at compile time (cffi checks them again when
 * the module loads). */
#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
typedef void *VADisplay;
typedef int VAStatus;
typedef unsigned int VAGenericID;
typedef VAGenericID VAConfigID;
typedef VAGenericID VAContextID;
typedef VAGenericID VASurfaceID;
typedef VAGenericID VABufferID;

#define VA_STATUS_SUCCESS 0x00000000
#define VA_INVALID_ID 0xffffffff
#define VA_RT_FORMAT_YUV420 0x00000001
#define VA_RT_FORMAT_RGB32 0x00020000
#define VA_RC_CBR 0x00000002
#define VA_RC_VBR 0x00000004
#define VA_RC_CQP 0x00000010
#define VA_ENC_PACKED_HEADER_SEQUENCE 0x00000001
#define VA_ENC_PACKED_HEADER_PICTURE 0x00000002
#define VA_ENC_PACKED_HEADER_SLICE 0x00000004
#define VA_ATTRIB_NOT_SUPPORTED 0x80000000
#define VA_SURFACE_ATTRIB_SETTABLE 0x00000002
#define VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2 0x40000000
#define VA_FOURCC_NV12 0x3231564E
#define VA_FOURCC_BGRX 0x58524742
#define VA_FOURCC_BGRA 0x41524742
#define VA_FOURCC_RGBX 0x58424752
#define VA_FOURCC_RGBA 0x41424752
#define VA_PROGRESSIVE 0x1

typedef enum {
	VAProfileNone = -1,
	VAProfileH264Main = 6,
	VAProfileH264High = 7,
	VAProfileH264ConstrainedBaseline = 13,
	...
} VAProfile;

typedef enum {
	VAEntrypointEncSlice = 6,
	VAEntrypointVideoProc = 10,
	VAEntrypointEncSliceLP = 8,
	...
} VAEntrypoint;

typedef enum {
	VAConfigAttribRTFormat = 0,
	VAConfigAttribRateControl = 5,
	VAConfigAttribEncPackedHeaders = 10,
	VAConfigAttribEncMaxRefFrames = 13,
	...
} VAConfigAttribType;

typedef struct _VAConfigAttrib {
	VAConfigAttribType type;
	uint32_t value;
} VAConfigAttrib;

typedef struct _VADRMPRIMESurfaceDescriptor {
	uint32_t fourcc;
	uint32_t width;
	uint32_t height;
	uint32_t num_objects;
	struct {
		int fd;
		uint32_t size;
		uint64_t drm_format_modifier;
	} objects[4];
	uint32_t num_layers;
	struct {
		uint32_t drm_format;
		uint32_t num_planes;
		uint32_t object_index[4];
		uint32_t offset[4];
		uint32_t pitch[4];
	} layers[4];
} VADRMPRIMESurfaceDescriptor;

VADisplay vaGetDisplayDRM(int fd);
VAStatus vaInitialize(VADisplay dpy, int *major_version, int *minor_version);
VAStatus vaTerminate(VADisplay dpy);
const char *vaErrorStr(VAStatus error_status);
const char *vaQueryVendorString(VADisplay dpy);
int vaMaxNumProfiles(VADisplay dpy);
int vaMaxNumEntrypoints(VADisplay dpy);
VAStatus vaQueryConfigProfiles(VADisplay dpy, VAProfile *profile_list, int *num_profiles);
VAStatus vaQueryConfigEntrypoints(VADisplay dpy, VAProfile profile,
	VAEntrypoint *entrypoint_list, int *num_entrypoints);
VAStatus vaGetConfigAttributes(VADisplay dpy, VAProfile profile, VAEntrypoint entrypoint,
	VAConfigAttrib *attrib_list, int num_attribs);
VAStatus vaCreateConfig(VADisplay dpy, VAProfile profile, VAEntrypoint entrypoint,
	VAConfigAttrib *attrib_list, int num_attribs, VAConfigID *config_id);
VAStatus vaDestroyConfig(VADisplay dpy, VAConfigID config_id);
VAStatus vaCreateSurfaces(VADisplay dpy, unsigned int format, unsigned int width,
	unsigned int height, VASurfaceID *surfaces, unsigned int num_surfaces,
	void *attrib_list, unsigned int num_attribs);
VAStatus vaDestroySurfaces(VADisplay dpy, VASurfaceID *surfaces, int num_surfaces);
VAStatus vaCreateContext(VADisplay dpy, VAConfigID config_id, int picture_width,
	int picture_height, int flag, VASurfaceID *render_targets, int num_render_targets,
	VAContextID *context);
VAStatus vaDestroyContext(VADisplay dpy, VAContextID context);
VAStatus vaDestroyBuffer(VADisplay dpy, VABufferID buffer_id);
VAStatus vaSyncSurface(VADisplay dpy, VASurfaceID render_target);

/* -- glue (csrc/va.h, after the types it uses) -- */
#include "va.h"
