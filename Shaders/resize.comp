#version 450
// NHWC resize, one invocation per output element. Coordinates follow PyTorch
// (align_corners = false): nearest takes floor(out · in/out); bilinear samples at
// (out + 0.5) · in/out − 0.5, clamped to the image.
#include "storage.glsl"

#define MODE_NEAREST 0
#define MODE_BILINEAR 1

layout(local_size_x = 256) in;
layout(constant_id = 0) const int MODE = MODE_NEAREST;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint groupsX;
    int inH, inW, outH, outW, channels;
} pc;

float pixel(int n, int iy, int ix, int c) {
    return float(x[((n * pc.inH + iy) * pc.inW + ix) * pc.channels + c]);
}

void main() {
    uint index = gl_GlobalInvocationID.x + gl_WorkGroupID.y * pc.groupsX * 256u;
    if (index >= pc.count) return;
    int i = int(index);
    int c = i % pc.channels;
    int ox = (i / pc.channels) % pc.outW;
    int oy = (i / (pc.channels * pc.outW)) % pc.outH;
    int n = i / (pc.channels * pc.outW * pc.outH);
    float scaleY = float(pc.inH) / float(pc.outH);
    float scaleX = float(pc.inW) / float(pc.outW);
    float v;
    if (MODE == MODE_NEAREST) {
        int iy = min(int(floor(float(oy) * scaleY)), pc.inH - 1);
        int ix = min(int(floor(float(ox) * scaleX)), pc.inW - 1);
        v = pixel(n, iy, ix, c);
    } else {
        float sy = max((float(oy) + 0.5) * scaleY - 0.5, 0.0);
        float sx = max((float(ox) + 0.5) * scaleX - 0.5, 0.0);
        int y0 = min(int(sy), pc.inH - 1);
        int x0 = min(int(sx), pc.inW - 1);
        int y1 = min(y0 + 1, pc.inH - 1);
        int x1 = min(x0 + 1, pc.inW - 1);
        float fy = sy - float(y0);
        float fx = sx - float(x0);
        float top = mix(pixel(n, y0, x0, c), pixel(n, y0, x1, c), fx);
        float bottom = mix(pixel(n, y1, x0, c), pixel(n, y1, x1, c), fx);
        v = mix(top, bottom, fy);
    }
    y[index] = TO_STORAGE(v);
}
