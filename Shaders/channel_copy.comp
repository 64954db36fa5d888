#version 450
// Copies a channel range between NHWC tensors of equal pixel count: concat writes each
// input at its channel offset of the output; split reads each output's range of the input.
// With ZERO_FILL, one invocation per output element writes the whole output: the copied range,
// and zeros in every other channel (padding channels up to a width).
#include "storage.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const bool ZERO_FILL = false;
// ZERO_FILL: the output's channel count, a constant because llvmpipe scalarizes integer
// division by a variable.
layout(constant_id = 1) const uint FILLED_CHANNELS = 1;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };

layout(push_constant) uniform Parameters {
    uint count;       // pixels * copied channels (ZERO_FILL: pixels * output channels)
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
    if (ZERO_FILL) {
        uint pixel = index / FILLED_CHANNELS;
        uint c = index % FILLED_CHANNELS - pc.destinationOffset;
        // Selected as fp32: selecting between fp16 values would need shaderFloat16.
        float value = c < pc.copied ? float(x[pixel * pc.sourceChannels + pc.sourceOffset + c]) : 0.0;
        y[index] = TO_STORAGE(value);
        return;
    }
    uint pixel = index / pc.copied;
    uint c = index % pc.copied;
    y[pixel * pc.destinationChannels + pc.destinationOffset + c] = x[pixel * pc.sourceChannels + pc.sourceOffset + c];
}
