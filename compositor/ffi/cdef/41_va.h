/* libva (VA-API) for the recorder's zero-copy H.264 encoder. Only what it uses is declared;
 * every constant carries its value from /usr/include/va (libva 2.17), and csrc/41_va.c
 * static-asserts them and the struct layouts at compile time (cffi checks them again when
 * the module loads). The H.264/VPP parameter buffers are filled in C from the flat
 * comp_va_* structs below, so the compiler checks every field name of libva's bit-field
 * unions. */
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

/* -- glue (csrc/41_va.c) -- */
#include "41_va_types.h"

/* Import a dma-buf (comp_rec_dmabuf from 40_recorder.h) as a VA surface with
 * VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2, modifier included. */
VAStatus comp_va_import_dmabuf(VADisplay dpy, const comp_rec_dmabuf *dmabuf,
	uint32_t va_fourcc, VASurfaceID *surface);
/* Each creates a buffer of the context; the caller renders and destroys it. */
VAStatus comp_va_h264_seq_buffer(VADisplay dpy, VAContextID ctx, const comp_va_h264_seq *seq,
	VABufferID *out);
VAStatus comp_va_h264_pic_buffer(VADisplay dpy, VAContextID ctx, const comp_va_h264_pic *pic,
	VABufferID *out);
VAStatus comp_va_h264_slice_buffer(VADisplay dpy, VAContextID ctx,
	const comp_va_h264_slice *slice, VABufferID *out);
/* A packed header: two buffers (parameters, data); bit_length excludes padding. */
VAStatus comp_va_packed_header(VADisplay dpy, VAContextID ctx, uint32_t type,
	const uint8_t *data, uint32_t bit_length, VABufferID out[2]);
VAStatus comp_va_rate_control_buffer(VADisplay dpy, VAContextID ctx, uint32_t bits_per_second,
	VABufferID *out);
VAStatus comp_va_coded_buffer(VADisplay dpy, VAContextID ctx, uint32_t size, VABufferID *out);
/* One picture: begin, render the buffers, end (asynchronous until vaSyncSurface). */
VAStatus comp_va_submit(VADisplay dpy, VAContextID ctx, VASurfaceID target,
	VABufferID *buffers, int count);
/* VPP: src (RGB) -> dst (NV12), BT.709 limited range, whole frame. */
VAStatus comp_va_vpp_convert(VADisplay dpy, VAContextID ctx, VASurfaceID src, VASurfaceID dst);
/* Copy the coded buffer's segments to dst; *length gets the size (may exceed cap: retry). */
VAStatus comp_va_read_coded(VADisplay dpy, VABufferID buf, uint8_t *dst, size_t cap,
	size_t *length);
/* sizeof / offsetof of libva's structs as this module was compiled (tests compare). */
size_t comp_va_layout(const char *what);
