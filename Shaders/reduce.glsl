// Workgroup-wide sum over a shared scratch array of WG_SIZE floats (WG_SIZE a power of two).
// Every invocation must call it; all receive the total.
float workgroupSum(float value) {
    scratch[gl_LocalInvocationID.x] = value;
    barrier();
    for (uint stride = WG_SIZE / 2u; stride > 0u; stride >>= 1u) {
        if (gl_LocalInvocationID.x < stride) {
            scratch[gl_LocalInvocationID.x] += scratch[gl_LocalInvocationID.x + stride];
        }
        barrier();
    }
    float total = scratch[0];
    barrier();
    return total;
}

float workgroupMax(float value) {
    scratch[gl_LocalInvocationID.x] = value;
    barrier();
    for (uint stride = WG_SIZE / 2u; stride > 0u; stride >>= 1u) {
        if (gl_LocalInvocationID.x < stride) {
            scratch[gl_LocalInvocationID.x] = max(scratch[gl_LocalInvocationID.x], scratch[gl_LocalInvocationID.x + stride]);
        }
        barrier();
    }
    float total = scratch[0];
    barrier();
    return total;
}
