#version 450
// Softmax along the last dimension, one workgroup per row, max-subtracted, fp32 sums.
#include "storage.glsl"

#define WG_SIZE 256u
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Input { STORAGE_T x[]; };
layout(std430, binding = 1) writeonly buffer Output { STORAGE_T y[]; };

layout(push_constant) uniform Parameters {
    uint rows;
    uint rowLength;
    uint groupsX;
    float scale; // applied to the logits first
} pc;

shared float scratch[WG_SIZE];
#include "reduce.glsl"

void main() {
    uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * pc.groupsX;
    if (row >= pc.rows) return;
    uint base = row * pc.rowLength;
    float largest = -3.402823e38;
    for (uint i = gl_LocalInvocationID.x; i < pc.rowLength; i += WG_SIZE) {
        largest = max(largest, float(x[base + i]) * pc.scale);
    }
    largest = workgroupMax(largest);
    float sum = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < pc.rowLength; i += WG_SIZE) {
        sum += exp(float(x[base + i]) * pc.scale - largest);
    }
    float inverseSum = 1.0 / workgroupSum(sum);
    for (uint i = gl_LocalInvocationID.x; i < pc.rowLength; i += WG_SIZE) {
        y[base + i] = TO_STORAGE(exp(float(x[base + i]) * pc.scale - largest) * inverseSum);
    }
}
