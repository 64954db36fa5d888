#version 450
// Copies a channel range between NHWC tensors of equal pixel count: concat writes each
// input at its channel offset of the output; split reads each output's range of the input.
// With ZERO_FILL, one invocation per output element writes the whole output: the copied range,
// and zeros in every other channel (padding channels up to a width).
#include "storage.glsl"
#include "texel_chunk.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const bool ZERO_FILL = false;
// ZERO_FILL: the output's channel count, a constant because llvmpipe scalarizes integer
// division by a variable.
layout(constant_id = 1) const uint FILLED_CHANNELS = 1;
// ZERO_FILL on CPU devices where the output channels are whole texel chunks: one invocation per
// output texel, written with one store.
layout(constant_id = 2) const bool FILL_TEXELS = false;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };
layout(binding = 2, rgba32ui) uniform writeonly uimageBuffer yTexels;

layout(push_constant) uniform Parameters {
    uint count;       // pixels * copied channels (ZERO_FILL: pixels * output channels, or output texels)
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
    if (ZERO_FILL && FILL_TEXELS) {
        const uint chunks = FILLED_CHANNELS / CHUNK;
        uint pixel = index / chunks;
        uint first = index % chunks * CHUNK - pc.destinationOffset;
        float v[CHUNK];
        [[unroll]] for (int q = 0; q < CHUNK; q++) {
            uint c = first + uint(q);
            v[q] = c < pc.copied ? float(x[pixel * pc.sourceChannels + pc.sourceOffset + c]) : 0.0;
        }
        imageStore(yTexels, int(index), packChunk(v));
        return;
    }
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
