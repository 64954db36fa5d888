#version 450
// Group normalization over NHWC, one workgroup per (image, group): statistics over the
// group's channels at every pixel, in fp32, two-pass (mean, then variance) for accuracy.
// Layer normalization is the case pixels = 1, groups = 1 (one row per "image").
// Optional fused SiLU after the per-channel affine.
#include "storage.glsl"

#define WG_SIZE 256u
layout(local_size_x = 256) in;
layout(constant_id = 0) const bool FUSE_SILU = false;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) readonly buffer Gamma { STORAGE_T gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { STORAGE_T beta[]; };
layout(std430, binding = 3) writeonly buffer Output { STORAGE_T y[]; };

layout(push_constant) uniform Parameters {
    uint pixels;        // H*W per image
    uint channels;      // C
    uint groupChannels; // C / groups
    uint groups;
    uint instances;     // images * groups
    uint groupsX;
    float epsilon;
} pc;

shared float scratch[WG_SIZE];
#include "reduce.glsl"

void main() {
    uint instance = gl_WorkGroupID.x + gl_WorkGroupID.y * pc.groupsX;
    if (instance >= pc.instances) return;
    uint image = instance / pc.groups;
    uint group = instance % pc.groups;
    uint count = pc.pixels * pc.groupChannels;
    uint base = image * pc.pixels * pc.channels + group * pc.groupChannels;

    float sum = 0.0;
    for (uint e = gl_LocalInvocationID.x; e < count; e += WG_SIZE) {
        sum += float(x[base + (e / pc.groupChannels) * pc.channels + e % pc.groupChannels]);
    }
    float mean = workgroupSum(sum) / float(count);
    float squares = 0.0;
    for (uint e = gl_LocalInvocationID.x; e < count; e += WG_SIZE) {
        float d = float(x[base + (e / pc.groupChannels) * pc.channels + e % pc.groupChannels]) - mean;
        squares += d * d;
    }
    float inverseDeviation = inversesqrt(workgroupSum(squares) / float(count) + pc.epsilon);
    for (uint e = gl_LocalInvocationID.x; e < count; e += WG_SIZE) {
        uint c = group * pc.groupChannels + e % pc.groupChannels;
        uint index = base + (e / pc.groupChannels) * pc.channels + e % pc.groupChannels;
        float v = (float(x[index]) - mean) * inverseDeviation * float(gamma[c]) + float(beta[c]);
        if (FUSE_SILU) v = v / (1.0 + exp(-v));
        y[index] = TO_STORAGE(v);
    }
}
