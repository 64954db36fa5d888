#version 450
// NHWC spatial padding, one invocation per output element: constant, replicate (edge)
// or reflect (mirror without repeating the edge, as PyTorch's "reflect").
#include "storage.glsl"

#define MODE_CONSTANT 0
#define MODE_REPLICATE 1
#define MODE_REFLECT 2

layout(local_size_x = 256) in;
layout(constant_id = 0) const int MODE = MODE_CONSTANT;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint groupsX;
    int inH, inW, outH, outW, channels;
    int top, left;
    float value;
} pc;

int sourceCoordinate(int o, int size) {
    if (MODE == MODE_REPLICATE) return clamp(o, 0, size - 1);
    if (size == 1) return 0;
    int period = 2 * (size - 1);
    int m = abs(o) % period;
    return m < size ? m : period - m;
}

void main() {
    uint index = gl_GlobalInvocationID.x + gl_WorkGroupID.y * pc.groupsX * 256u;
    if (index >= pc.count) return;
    int i = int(index);
    int c = i % pc.channels;
    int ox = (i / pc.channels) % pc.outW - pc.left;
    int oy = (i / (pc.channels * pc.outW)) % pc.outH - pc.top;
    int n = i / (pc.channels * pc.outW * pc.outH);
    float v;
    if (MODE == MODE_CONSTANT && (oy < 0 || oy >= pc.inH || ox < 0 || ox >= pc.inW)) {
        v = pc.value;
    } else {
        int iy = sourceCoordinate(oy, pc.inH);
        int ix = sourceCoordinate(ox, pc.inW);
        v = float(x[((n * pc.inH + iy) * pc.inW + ix) * pc.channels + c]);
    }
    y[index] = TO_STORAGE(v);
}
