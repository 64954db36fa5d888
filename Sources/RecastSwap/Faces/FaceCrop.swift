import Foundation
import RecastMedia

/// A square, rotated window on an image: the crop the face mesh model reads.
/// Its side is 1.5× the detected box's longer side and it is turned so the
/// eyes lie level, as MediaPipe prepares its landmark input.
public struct FaceCrop: Sendable, Equatable {
    public var center: SIMD2<Float>
    public var side: Float
    /// Radians; the crop's x axis is the image's x axis turned by this angle.
    public var angle: Float

    public init(center: SIMD2<Float>, side: Float, angle: Float) {
        self.center = center
        self.side = side
        self.angle = angle
    }

    /// The crop around a detection, levelled by its eye keypoints.
    public init(box: (x: Float, y: Float, width: Float, height: Float), rightEye: SIMD2<Float>, leftEye: SIMD2<Float>, scale: Float = 1.5) {
        center = SIMD2(box.x + box.width / 2, box.y + box.height / 2)
        side = max(box.width, box.height) * scale
        // The person's right eye appears on the left of the picture.
        let eyes = leftEye - rightEye
        angle = atan2f(eyes.y, eyes.x)
    }

    /// The crop around a face mesh measured on the previous frame (MediaPipe's tracking ROI:
    /// the points' bounding box, 1.5× its longer side, levelled by the eye corners).
    public init(mesh: [SIMD3<Float>], scale: Float = 1.5) {
        let xs = mesh.map(\.x), ys = mesh.map(\.y)
        let box = (x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!)
        let (rightEye, leftEye) = MeshLandmarks.eyeCenters(mesh)
        self.init(box: box, rightEye: rightEye, leftEye: leftEye, scale: scale)
    }

    /// Maps a point of a `size`×`size` crop (pixels, origin top-left) to image pixels.
    public func imagePoint(_ point: SIMD2<Float>, size: Int) -> SIMD2<Float> {
        let unit = (point / Float(size) - 0.5) * side
        let (sine, cosine) = (sinf(angle), cosf(angle))
        return center + SIMD2(unit.x * cosine - unit.y * sine, unit.x * sine + unit.y * cosine)
    }

    /// Maps an image point (pixels) to the point of a `size`×`size` crop: the inverse of `imagePoint`.
    public func cropPoint(_ point: SIMD2<Float>, size: Int) -> SIMD2<Float> {
        let offset = point - center
        let (sine, cosine) = (sinf(angle), cosf(angle))
        let unit = SIMD2(offset.x * cosine + offset.y * sine, -offset.x * sine + offset.y * cosine)
        return (unit / side + 0.5) * Float(size)
    }

    /// The crop resampled (bilinear) to `size`×`size` RGB.
    public func extract(from image: RGBImage, size: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for v in 0..<size {
            for u in 0..<size {
                let point = imagePoint(SIMD2(Float(u) + 0.5, Float(v) + 0.5), size: size) - 0.5
                let pixel = image.sample(x: point.x, y: point.y)
                let offset = (v * size + u) * 3
                pixels[offset] = pixel.x
                pixels[offset + 1] = pixel.y
                pixels[offset + 2] = pixel.z
            }
        }
        return pixels
    }
}

extension FaceCrop {
    /// An image point (pixels) where it falls among the values of a `size`×`size` crop as `extract` lays them out:
    /// value (u, v) at (u, v), the mesh warp's and bilinear sampling's convention.
    func valuePoint(_ point: SIMD2<Float>, size: Int) -> SIMD2<Float> {
        cropPoint(point, size: size) - 0.5
    }

    /// `mesh` (image pixels) among a `size`×`size` crop's values (`valuePoint`), z scaled alike.
    func changePoints(_ mesh: [SIMD3<Float>], size: Int) -> [SIMD3<Float>] {
        let scale = Float(size) / side
        return mesh.map { point in
            let planar = valuePoint(SIMD2(point.x, point.y), size: size)
            return SIMD3(planar.x, planar.y, point.z * scale)
        }
    }
}
