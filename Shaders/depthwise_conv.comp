#version 450
// NHWC depthwise convolution with its fused epilogue, one invocation per output element
// (channels fastest, so neighbouring invocations read neighbouring input and weights):
// y = activation(sum_k x·w + bias + residual). The implicit GEMM would spend a whole tile
// on each channel's single output column; this reads each input 9 times and nothing else.
// Padding is given per side, so TFLite's SAME padding (bottom/right only at stride 2) needs no pad pass.
// The grid is x = (output column, channel), y = (image, output row), and the channel count is a
// specialization constant: llvmpipe scalarizes integer division by a variable, which otherwise dominates.
#include "storage.glsl"
#include "activation.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const int ACTIVATION = ACT_NONE;
layout(constant_id = 1) const int HAS_BIAS = 0;
layout(constant_id = 2) const int HAS_RESIDUAL = 0;
layout(constant_id = 3) const int KERNEL = 3;
layout(constant_id = 4) const int CHANNELS = 1;
// Channels per invocation (1 or 4, dividing CHANNELS): fewer, wider invocations halve llvmpipe's time.
layout(constant_id = 5) const int LANES = 1;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
// Repacked [ky][kx][channel].
layout(std430, binding = 1) readonly buffer Weights { STORAGE_T w[]; };
layout(std430, binding = 2) readonly buffer Bias { STORAGE_T bias[]; };
layout(std430, binding = 3) readonly buffer Residual { STORAGE_T residual[]; };
layout(std430, binding = 4) readonly buffer Slopes { STORAGE_T slopes[]; };
layout(std430, binding = 5) writeonly buffer Output { STORAGE_T y[]; };

layout(push_constant) uniform Parameters {
    int inH, inW, outH, outW;
    int stride, padTop, padLeft;
} pc;

void main() {
    const int groups = CHANNELS / LANES;
    int column = int(gl_GlobalInvocationID.x);
    if (column >= pc.outW * groups) return;
    int c0 = (column % groups) * LANES;
    int ox = column / groups;
    int row = int(gl_GlobalInvocationID.y);
    int oy = row % pc.outH;
    int n = row / pc.outH;
    int base = (row * pc.outW + ox) * CHANNELS + c0;
    float sum[LANES];
    for (int l = 0; l < LANES; l++) sum[l] = HAS_BIAS != 0 ? float(bias[c0 + l]) : 0.0;
    for (int ky = 0; ky < KERNEL; ky++) {
        int iy = oy * pc.stride - pc.padTop + ky;
        if (iy < 0 || iy >= pc.inH) continue;
        for (int kx = 0; kx < KERNEL; kx++) {
            int ix = ox * pc.stride - pc.padLeft + kx;
            if (ix < 0 || ix >= pc.inW) continue;
            int source = ((n * pc.inH + iy) * pc.inW + ix) * CHANNELS + c0;
            int tap = (ky * KERNEL + kx) * CHANNELS + c0;
            for (int l = 0; l < LANES; l++) sum[l] += float(x[source + l]) * float(w[tap + l]);
        }
    }
    for (int l = 0; l < LANES; l++) {
        float v = sum[l] + (HAS_RESIDUAL != 0 ? float(residual[base + l]) : 0.0);
        float slope = ACTIVATION == ACT_PRELU ? float(slopes[c0 + l]) : 0.0;
        y[base + l] = TO_STORAGE(activate(v, ACTIVATION, slope));
    }
}
