// What Swift cannot import directly: function-like macros (ioctl request
// numbers, fourccs, AVERROR) and variadic C functions.
#ifndef RECAST_SHIMS_H
#define RECAST_SHIMS_H

#include <stdint.h>
#include <linux/videodev2.h>

// ioctl(2) and v4l2_ioctl(3) are variadic.
int recast_ioctl(int fd, unsigned long request, void *arg);
int recast_v4l2_open(const char *path, int flags);
int recast_v4l2_ioctl(int fd, unsigned long request, void *arg);

// V4L2 ioctl request numbers (_IOWR macros).
extern const unsigned long RECAST_VIDIOC_QUERYCAP;
extern const unsigned long RECAST_VIDIOC_ENUM_FMT;
extern const unsigned long RECAST_VIDIOC_ENUM_FRAMESIZES;
extern const unsigned long RECAST_VIDIOC_ENUM_FRAMEINTERVALS;
extern const unsigned long RECAST_VIDIOC_G_FMT;
extern const unsigned long RECAST_VIDIOC_S_FMT;
extern const unsigned long RECAST_VIDIOC_G_PARM;
extern const unsigned long RECAST_VIDIOC_S_PARM;
extern const unsigned long RECAST_VIDIOC_REQBUFS;
extern const unsigned long RECAST_VIDIOC_QUERYBUF;
extern const unsigned long RECAST_VIDIOC_QBUF;
extern const unsigned long RECAST_VIDIOC_DQBUF;
extern const unsigned long RECAST_VIDIOC_STREAMON;
extern const unsigned long RECAST_VIDIOC_STREAMOFF;

// V4L2 fourccs (v4l2_fourcc macro).
extern const uint32_t RECAST_PIX_FMT_YUYV;
extern const uint32_t RECAST_PIX_FMT_NV12;
extern const uint32_t RECAST_PIX_FMT_YUV420;
extern const uint32_t RECAST_PIX_FMT_MJPEG;
extern const uint32_t RECAST_PIX_FMT_JPEG;

// FFmpeg error codes (FFERRTAG / AVERROR macros).
extern const int RECAST_AVERROR_EOF;
extern const int RECAST_AVERROR_EAGAIN;
extern const int RECAST_AVERROR_EXIT;
extern const int RECAST_AVERROR_INVALIDDATA;
extern const int64_t RECAST_AV_NOPTS_VALUE;

// av_log's callback receives a va_list; this formats it and hands Swift the
// lines at or below `max_level` (AV_LOG_*; lower is more severe).
typedef void (*recast_log_sink)(int level, const char *line);
void recast_set_av_log_sink(recast_log_sink sink, int max_level);

#endif
