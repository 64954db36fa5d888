// Activation ids shared with RecastNN.Activation.
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_PRELU 2
#define ACT_SILU 3
#define ACT_GELU 4
#define ACT_TANH 5
#define ACT_SIGMOID 6
#define ACT_RELU6 7

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): GLSL has no erf, and GELU here is the exact (erf) form.
float erf_approx(float x) {
    float t = 1.0 / (1.0 + 0.3275911 * abs(x));
    float y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
    return sign(x) * y;
}

float sigmoid_stable(float x) {
    return x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

// `slope` is only used by PReLU (its per-channel negative slope).
float activate(float x, int kind, float slope) {
    if (kind == ACT_RELU) return max(x, 0.0);
    if (kind == ACT_PRELU) return x >= 0.0 ? x : x * slope;
    if (kind == ACT_SILU) return x * sigmoid_stable(x);
    if (kind == ACT_GELU) return 0.5 * x * (1.0 + erf_approx(x * 0.70710678118654752));
    if (kind == ACT_TANH) return tanh(clamp(x, -15.0, 15.0));
    if (kind == ACT_SIGMOID) return sigmoid_stable(x);
    if (kind == ACT_RELU6) return clamp(x, 0.0, 6.0);
    return x;
}
