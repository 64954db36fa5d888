import Foundation
import RecastMedia

/// A colour and lighting change of a face picture, as between two cameras or two rooms: per-channel gain, a
/// gamma, and a linear light gradient across the picture. The refiner's training inputs get one, so that the
/// model learns to undo what the swap's colour transfer leaves over.
public struct LightingShift: Sendable, Equatable {
    public var gains: SIMD3<Float>
    public var gamma: Float
    /// Relative brightness change per picture width (x) and height (y), through the centre.
    public var gradient: SIMD2<Float>

    public init(gains: SIMD3<Float>, gamma: Float, gradient: SIMD2<Float>) {
        self.gains = gains
        self.gamma = gamma
        self.gradient = gradient
    }

    /// A shift drawn from `generator`: gains 0.8–1.2, gamma 0.75–1.33, gradients up to ±0.3.
    public static func random(using generator: inout some RandomNumberGenerator) -> LightingShift {
        LightingShift(
            gains: SIMD3(.random(in: 0.8...1.2, using: &generator), .random(in: 0.8...1.2, using: &generator), .random(in: 0.8...1.2, using: &generator)),
            gamma: Float.random(in: -1...1, using: &generator) >= 0
                ? .random(in: 1...1.33, using: &generator) : 1 / .random(in: 1...1.33, using: &generator),
            gradient: SIMD2(.random(in: -0.3...0.3, using: &generator), .random(in: -0.3...0.3, using: &generator)))
    }

    public func applied(to image: RGBImage) -> RGBImage {
        var pixels = image.pixels
        let width = Float(image.width), height = Float(image.height)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let light = 1 + gradient.x * ((Float(x) + 0.5) / width - 0.5) + gradient.y * ((Float(y) + 0.5) / height - 0.5)
                let index = (y * image.width + x) * 3
                for channel in 0..<3 {
                    let value = powf(Float(pixels[index + channel]) / 255, gamma) * gains[channel] * light
                    pixels[index + channel] = UInt8((min(max(value, 0), 1) * 255).rounded())
                }
            }
        }
        return RGBImage(width: image.width, height: image.height, pixels: pixels)
    }
}
