#version 450
// Copies a channel range between NHWC tensors of equal pixel count: concat writes each
// input at its channel offset of the output; split reads each output's range of the input.
#include "storage.glsl"

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };

layout(push_constant) uniform Parameters {
    uint count;       // pixels * copied channels
    uint groupsX;
    uint copied;      // channels copied per pixel
    uint sourceChannels;
    uint sourceOffset;
    uint destinationChannels;
    uint destinationOffset;
} pc;

void main() {
    uint index = gl_GlobalInvocationID.x + gl_WorkGroupID.y * pc.groupsX * 256u;
    if (index >= pc.count) return;
    uint pixel = index / pc.copied;
    uint c = index % pc.copied;
    y[pixel * pc.destinationChannels + pc.destinationOffset + c] = x[pixel * pc.sourceChannels + pc.sourceOffset + c];
}
