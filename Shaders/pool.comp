#version 450
// NHWC max / average pooling, one invocation per output element. Average counts the
// padding (PyTorch's count_include_pad = true); max ignores it.
#include "storage.glsl"

#define MODE_MAX 0
#define MODE_AVERAGE 1

layout(local_size_x = 256) in;
layout(constant_id = 0) const int MODE = MODE_MAX;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint groupsX;
    int inH, inW, outH, outW, channels;
    int kernelH, kernelW, strideY, strideX, padY, padX;
} pc;

void main() {
    uint index = gl_GlobalInvocationID.x + gl_WorkGroupID.y * pc.groupsX * 256u;
    if (index >= pc.count) return;
    int i = int(index);
    int c = i % pc.channels;
    int ox = (i / pc.channels) % pc.outW;
    int oy = (i / (pc.channels * pc.outW)) % pc.outH;
    int n = i / (pc.channels * pc.outW * pc.outH);
    float result = MODE == MODE_MAX ? -3.402823e38 : 0.0;
    for (int ky = 0; ky < pc.kernelH; ky++) {
        int iy = oy * pc.strideY - pc.padY + ky;
        if (iy < 0 || iy >= pc.inH) continue;
        for (int kx = 0; kx < pc.kernelW; kx++) {
            int ix = ox * pc.strideX - pc.padX + kx;
            if (ix < 0 || ix >= pc.inW) continue;
            float v = float(x[((n * pc.inH + iy) * pc.inW + ix) * pc.channels + c]);
            result = MODE == MODE_MAX ? max(result, v) : result + v;
        }
    }
    if (MODE == MODE_AVERAGE) result /= float(pc.kernelH * pc.kernelW);
    y[index] = TO_STORAGE(result);
}
