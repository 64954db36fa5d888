#extension GL_EXT_control_flow_attributes : require
// 16-byte texels of a tensor bound as a uniform texel buffer (RGBA32UI): CHUNK consecutive
// elements of the storage type in each. Lavapipe fetches texels with vector gathers, where a
// storage-buffer load is a loop over the SIMD lanes that bounds-checks every 32-bit word.
#ifdef RECAST_F16_STORAGE
#define CHUNK 8
#define CHUNK_SHIFT 3
#else
#define CHUNK 4
#define CHUNK_SHIFT 2
#endif

void unpackChunk(uvec4 u, out float v[CHUNK]) {
    [[unroll]] for (int q = 0; q < 4; q++) {
#ifdef RECAST_F16_STORAGE
        vec2 pair = unpackHalf2x16(u[q]);
        v[2 * q] = pair.x;
        v[2 * q + 1] = pair.y;
#else
        v[q] = uintBitsToFloat(u[q]);
#endif
    }
}

uvec4 packChunk(float v[CHUNK]) {
    uvec4 u;
    [[unroll]] for (int q = 0; q < 4; q++) {
#ifdef RECAST_F16_STORAGE
        u[q] = packHalf2x16(vec2(v[2 * q], v[2 * q + 1]));
#else
        u[q] = floatBitsToUint(v[q]);
#endif
    }
    return u;
}

// The max of the 2×2 window of texels `start`, `start + right`, `start + below` and `start + right + below`:
// a residual block's shortcut pooled where the block strides. An offset of 0 clips the window at the map's
// edge (the texel is read again instead of branching around the fetch).
void maxOfWindow(usamplerBuffer texels, int start, int right, int below, out float values[CHUNK]) {
    unpackChunk(texelFetch(texels, start), values);
    float other[CHUNK];
    [[unroll]] for (int tap = 1; tap < 4; tap++) {
        unpackChunk(texelFetch(texels, start + ((tap & 1) != 0 ? right : 0) + ((tap & 2) != 0 ? below : 0)), other);
        [[unroll]] for (int q = 0; q < CHUNK; q++) values[q] = max(values[q], other[q]);
    }
}
