#include "CRecastShims.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <libv4l2.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/avutil.h>

int recast_ioctl(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
int recast_v4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }
int recast_v4l2_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }

const unsigned long RECAST_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
const unsigned long RECAST_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
const unsigned long RECAST_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
const unsigned long RECAST_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;
const unsigned long RECAST_VIDIOC_G_FMT = VIDIOC_G_FMT;
const unsigned long RECAST_VIDIOC_S_FMT = VIDIOC_S_FMT;
const unsigned long RECAST_VIDIOC_G_PARM = VIDIOC_G_PARM;
const unsigned long RECAST_VIDIOC_S_PARM = VIDIOC_S_PARM;
const unsigned long RECAST_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
const unsigned long RECAST_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
const unsigned long RECAST_VIDIOC_QBUF = VIDIOC_QBUF;
const unsigned long RECAST_VIDIOC_DQBUF = VIDIOC_DQBUF;
const unsigned long RECAST_VIDIOC_STREAMON = VIDIOC_STREAMON;
const unsigned long RECAST_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;

const uint32_t RECAST_PIX_FMT_YUYV = V4L2_PIX_FMT_YUYV;
const uint32_t RECAST_PIX_FMT_NV12 = V4L2_PIX_FMT_NV12;
const uint32_t RECAST_PIX_FMT_YUV420 = V4L2_PIX_FMT_YUV420;
const uint32_t RECAST_PIX_FMT_MJPEG = V4L2_PIX_FMT_MJPEG;
const uint32_t RECAST_PIX_FMT_JPEG = V4L2_PIX_FMT_JPEG;

const int RECAST_AVERROR_EOF = AVERROR_EOF;
const int RECAST_AVERROR_EAGAIN = AVERROR(EAGAIN);
const int RECAST_AVERROR_EXIT = AVERROR_EXIT;
const int RECAST_AVERROR_INVALIDDATA = AVERROR_INVALIDDATA;
const int64_t RECAST_AV_NOPTS_VALUE = AV_NOPTS_VALUE;

static recast_log_sink current_sink;
static int current_max_level = AV_LOG_INFO;

static void forward_av_log(void *avcl, int level, const char *fmt, va_list args) {
    if (!current_sink || level > current_max_level) return;
    char line[1024];
    int print_prefix = 1;
    av_log_format_line(avcl, level, fmt, args, line, sizeof line, &print_prefix);
    current_sink(level, line);
}

void recast_set_av_log_sink(recast_log_sink sink, int max_level) {
    current_sink = sink;
    current_max_level = max_level;
    av_log_set_level(max_level);
    av_log_set_callback(sink ? forward_av_log : av_log_default_callback);
}
