#version 450
// NHWC affine warp with bilinear sampling, one invocation per output element. Each image
// has an inverse map (6 fp32 values, row-major 2×3): the output pixel (x, y) samples the
// input at (m0·x + m1·y + m2, m3·x + m4·y + m5), pixel centres at integer coordinates
// (OpenCV's warpAffine with WARP_INVERSE_MAP). Neighbours outside the input take the fill
// value (BORDER_CONSTANT) or the nearest edge pixel (BORDER_CLAMP).
#include "storage.glsl"

#define BORDER_CONSTANT 0
#define BORDER_CLAMP 1

layout(local_size_x = 256) in;
layout(constant_id = 0) const int BORDER = BORDER_CONSTANT;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
// fp32 whatever the storage precision: fp16 cannot address pixels of large images exactly.
layout(std430, binding = 1) readonly buffer Matrices { float matrices[]; };
layout(std430, binding = 2) writeonly buffer Output { STORAGE_T y[]; };

layout(push_constant) uniform Parameters {
    uint count;
    uint groupsX;
    int inH, inW, outH, outW, channels;
    float fill;
} pc;

float pixel(int n, int iy, int ix, int c) {
    if (BORDER == BORDER_CLAMP) {
        iy = clamp(iy, 0, pc.inH - 1);
        ix = clamp(ix, 0, pc.inW - 1);
    } else if (iy < 0 || iy >= pc.inH || ix < 0 || ix >= pc.inW) {
        return pc.fill;
    }
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
    int t = n * 6;
    float sx = matrices[t] * float(ox) + matrices[t + 1] * float(oy) + matrices[t + 2];
    float sy = matrices[t + 3] * float(ox) + matrices[t + 4] * float(oy) + matrices[t + 5];
    float fx0 = floor(sx);
    float fy0 = floor(sy);
    // Far outside the image every neighbour is the fill (or edge) value; clamping first keeps
    // the integer conversion defined.
    int x0 = int(clamp(fx0, -2.0, float(pc.inW) + 1.0));
    int y0 = int(clamp(fy0, -2.0, float(pc.inH) + 1.0));
    float fx = sx - fx0;
    float fy = sy - fy0;
    float top = mix(pixel(n, y0, x0, c), pixel(n, y0, x0 + 1, c), fx);
    float bottom = mix(pixel(n, y0 + 1, x0, c), pixel(n, y0 + 1, x0 + 1, c), fx);
    y[index] = TO_STORAGE(mix(top, bottom, fy));
}
