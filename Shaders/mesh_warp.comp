#version 450
// Triangle-mesh texture warp. Every output pixel covered by a destination triangle takes the
// bilinear sample of the source texture at the barycentrically mapped source position, and a
// mask says which pixels are covered (1/0, or feathered by the distance to the mesh's boundary
// edges, reaching 1 at the ramp width). Uncovered pixels get 0 in both.
//
// Rasterisation is a gather: one workgroup per 16×16 output tile, one invocation per pixel.
// The workgroup first bins the triangles (and, feathered, the boundary edges) whose destination
// bounding box meets the tile into shared memory, CHUNK at a time so any count fits, then each
// pixel tests only those. Each output value is written once by its own invocation: no global
// atomics, no depth buffer to clear, no ordering between workgroups, so the result is the same on
// lavapipe and on GPUs. (A scatter per triangle would need a 64-bit atomic depth+index test, which
// not every device has, plus clear and resolve passes.) CHUNK is 4 items per invocation because
// barriers are what costs most on lavapipe: a whole face mesh bins in one round of 3 barriers.
// Where triangles overlap, the one nearest the camera wins: smallest interpolated destination z,
// ties to the lower triangle index, so the result does not depend on the order the bins fill.
// Triangles and boundary edges are read as per-item fp32 texels (see MeshWarpGeometry): binning
// reads a triangle's bounding box, testing a pixel its corners (2 texels, the third depth only
// when it covers the pixel), which on lavapipe cost a fraction of 12 scattered buffer loads.
//
// Pixel centres are at integer coordinates (as affine_warp). A pixel is inside a triangle when
// its three edge functions share the sign of the triangle's area, zero included; either winding
// is drawn. The edge functions are `precise` (no fused multiply-add) so that these decisions are
// bit-exact and the CPU reference makes the same ones. Zero-area triangles and triangles with a
// non-finite vertex cover nothing.
#include "storage.glsl"

#define BORDER_CONSTANT 0
#define BORDER_CLAMP 1
#define TILE 16
#define GROUP (TILE * TILE)
#define CHUNK (4 * GROUP)
#define NONE 0xFFFFFFFFu

layout(local_size_x = TILE, local_size_y = TILE) in;
layout(constant_id = 0) const int BORDER = BORDER_CLAMP;
layout(constant_id = 1) const bool FEATHER = false;

layout(std430, binding = 0) readonly buffer Texture { STORAGE_T texel[]; };
// Points are fp32 whatever the storage precision: fp16 cannot address pixels of large images.
layout(binding = 1) uniform usamplerBuffer sourceCorners;      // ax ay bx by | cx cy - - per triangle
layout(binding = 2) uniform usamplerBuffer destinationCorners; // ax ay bx by | cx cy az bz | cz - - - per triangle
layout(binding = 3) uniform usamplerBuffer destinationBoxes;   // min x, min y, max x, max y per triangle (empty: covers nothing)
layout(binding = 4) uniform usamplerBuffer boundaryEdgeEnds;   // ax ay bx by per edge
layout(std430, binding = 5) writeonly buffer Output { STORAGE_T y[]; };
layout(std430, binding = 6) writeonly buffer Mask { STORAGE_T mask[]; };

layout(push_constant) uniform Parameters {
    int sourceH, sourceW, outH, outW, channels;
    uint triangleCount, edgeCount;
    float featherWidth, fill;
} pc;

shared uint triangleBinCount, edgeBinCount;
shared uint triangleBin[CHUNK], edgeBin[CHUNK];

// Twice the signed area of (a, b, p): positive when p is left of a→b in a y-up frame.
float edgeFunction(vec2 a, vec2 b, vec2 p) {
    precise float e = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    return e;
}

vec4 edgeEnds(uint e) { return uintBitsToFloat(texelFetch(boundaryEdgeEnds, int(e))); }

bool boxMeetsTile(vec2 lo, vec2 hi, vec2 tileLo, vec2 tileHi) {
    return all(lessThanEqual(lo, tileHi)) && all(greaterThanEqual(hi, tileLo));
}

float sourceTexel(int iy, int ix, int c) {
    if (BORDER == BORDER_CLAMP) {
        iy = clamp(iy, 0, pc.sourceH - 1);
        ix = clamp(ix, 0, pc.sourceW - 1);
    } else if (iy < 0 || iy >= pc.sourceH || ix < 0 || ix >= pc.sourceW) {
        return pc.fill;
    }
    return float(texel[(iy * pc.sourceW + ix) * pc.channels + c]);
}

float segmentDistance(vec2 p, vec2 a, vec2 b) {
    vec2 ab = b - a;
    vec2 ap = p - a;
    float length2 = dot(ab, ab);
    float t = length2 > 0.0 ? clamp(dot(ap, ab) / length2, 0.0, 1.0) : 0.0;
    return length(ap - t * ab);
}

// The host gives triangles that cover nothing (zero area, a non-finite corner) an empty box.
bool triangleMeetsTile(uint t, vec2 tileLo, vec2 tileHi) {
    vec4 box = uintBitsToFloat(texelFetch(destinationBoxes, int(t)));
    return boxMeetsTile(box.xy, box.zw, tileLo, tileHi);
}

void main() {
    ivec2 tileOrigin = ivec2(gl_WorkGroupID.xy) * TILE;
    ivec2 p = tileOrigin + ivec2(gl_LocalInvocationID.xy);
    bool inImage = p.x < pc.outW && p.y < pc.outH;
    vec2 pixel = vec2(p);
    vec2 tileLo = vec2(tileOrigin);
    vec2 tileHi = vec2(tileOrigin + TILE - 1);
    // Edges farther than the ramp width from the tile cannot lower the mask.
    vec2 reachLo = tileLo - pc.featherWidth;
    vec2 reachHi = tileHi + pc.featherWidth;
    uint lane = gl_LocalInvocationIndex;

    uint best = NONE;
    float bestDepth = 0.0;
    vec3 bestWeights = vec3(0.0);
    float nearest = pc.featherWidth;
    uint items = FEATHER ? max(pc.triangleCount, pc.edgeCount) : pc.triangleCount;
    // The loop bounds are uniform over the workgroup, so every invocation meets every barrier.
    for (uint base = 0u; base < items; base += CHUNK) {
        if (lane == 0u) {
            triangleBinCount = 0u;
            edgeBinCount = 0u;
        }
        barrier();
        for (uint k = 0u; k < CHUNK; k += GROUP) {
            uint item = base + k + lane;
            if (item < pc.triangleCount && triangleMeetsTile(item, tileLo, tileHi)) {
                triangleBin[atomicAdd(triangleBinCount, 1u)] = item;
            }
            if (FEATHER && item < pc.edgeCount) {
                vec4 ends = edgeEnds(item);
                vec2 a = ends.xy, b = ends.zw;
                if (boxMeetsTile(min(a, b), max(a, b), reachLo, reachHi)) edgeBin[atomicAdd(edgeBinCount, 1u)] = item;
            }
        }
        barrier();
        uint count = inImage ? triangleBinCount : 0u;
        for (uint i = 0u; i < count; ++i) {
            uint triangle = triangleBin[i];
            vec4 ab = uintBitsToFloat(texelFetch(destinationCorners, int(3u * triangle)));
            vec4 cDepths = uintBitsToFloat(texelFetch(destinationCorners, int(3u * triangle + 1u)));
            vec2 a = ab.xy, b = ab.zw, c = cDepths.xy;
            float area = edgeFunction(a, b, c);
            float w0 = edgeFunction(b, c, pixel);
            float w1 = edgeFunction(c, a, pixel);
            float w2 = edgeFunction(a, b, pixel);
            bool inside = area > 0.0 ? (w0 >= 0.0 && w1 >= 0.0 && w2 >= 0.0) : (w0 <= 0.0 && w1 <= 0.0 && w2 <= 0.0);
            if (!inside) continue;
            vec3 weights = vec3(w0, w1, w2) / area;
            // The third depth only for a triangle that covers the pixel.
            float lastDepth = uintBitsToFloat(texelFetch(destinationCorners, int(3u * triangle + 2u)).x);
            float depth = weights.x * cDepths.z + weights.y * cDepths.w + weights.z * lastDepth;
            if (best == NONE || depth < bestDepth || (depth == bestDepth && triangle < best)) {
                best = triangle;
                bestDepth = depth;
                bestWeights = weights;
            }
        }
        uint edges = FEATHER && inImage ? edgeBinCount : 0u;
        for (uint i = 0u; i < edges; ++i) {
            vec4 ends = edgeEnds(edgeBin[i]);
            nearest = min(nearest, segmentDistance(pixel, ends.xy, ends.zw));
        }
        barrier();
    }

    float coverage = best == NONE ? 0.0 : (FEATHER ? nearest / pc.featherWidth : 1.0);
    if (!inImage) return;

    int pixelIndex = p.y * pc.outW + p.x;
    mask[pixelIndex] = TO_STORAGE(coverage);
    if (best == NONE) {
        for (int c = 0; c < pc.channels; ++c) y[pixelIndex * pc.channels + c] = TO_STORAGE(0.0);
        return;
    }
    vec4 sourceAB = uintBitsToFloat(texelFetch(sourceCorners, int(2u * best)));
    vec2 sourceC = uintBitsToFloat(texelFetch(sourceCorners, int(2u * best + 1u))).xy;
    vec2 s = bestWeights.x * sourceAB.xy + bestWeights.y * sourceAB.zw + bestWeights.z * sourceC;
    float fx0 = floor(s.x);
    float fy0 = floor(s.y);
    // Far outside the texture every neighbour is the fill (or edge) value; clamping first keeps
    // the integer conversion defined.
    int x0 = int(clamp(fx0, -2.0, float(pc.sourceW) + 1.0));
    int y0 = int(clamp(fy0, -2.0, float(pc.sourceH) + 1.0));
    float fx = s.x - fx0;
    float fy = s.y - fy0;
    for (int c = 0; c < pc.channels; ++c) {
        float top = mix(sourceTexel(y0, x0, c), sourceTexel(y0, x0 + 1, c), fx);
        float bottom = mix(sourceTexel(y0 + 1, x0, c), sourceTexel(y0 + 1, x0 + 1, c), fx);
        y[pixelIndex * pc.channels + c] = TO_STORAGE(mix(top, bottom, fy));
    }
}
