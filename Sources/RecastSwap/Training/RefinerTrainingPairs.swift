import Foundation
import RecastMedia

/// Self-supervised training samples for the refiner, made from one person's video frames by Recast's own warp
/// path: the target is a real face crop (frame t); the input is the same person's face from another frame (s),
/// colour- and light-shifted, warped onto frame t's mesh and composited as the live swap does; the identity
/// condition is the MobileFace embedding of a third frame (u). Crops are the live refinement's (`LiveRefinement`).
public final class RefinerTrainingPairs {
    public struct Sample: Sendable {
        /// The swap's composite, `side`² RGB.
        public var composite: [UInt8]
        /// The real frame's crop, `side`² RGB.
        public var target: [UInt8]
        /// The swap's blend weight in the crop, `side`² values 0–1 (quantised to bytes 0–255).
        public var mask: [UInt8]
        /// MobileFace embedding of frame u, L2-normalised.
        public var embedding: [Float]
        /// Frames t, s, u.
        public var frames: SIMD3<Int32>
    }

    private let swap: WarpSwap
    private let analyzer: FaceAnalyzer
    private let side: Int
    /// Each frame's face as an identity (texture, mesh, embedding); nil where no single clear face was found.
    private var faces: [IdentityFace?] = []
    private var frames: [RGBImage] = []

    /// - swap: a warp swap whose identity is replaced per sample (its faces setting should be `.largest`).
    /// - analyzer: measures the frames with embeddings (the swap's own analyzer computes none).
    public init(swap: WarpSwap, analyzer: FaceAnalyzer, side: Int) {
        // Source and target are one person: there is no other shape to give the face (the bundled weights were
        // trained on pairs made so).
        swap.identityShape = 0
        self.swap = swap
        self.analyzer = analyzer
        self.side = side
    }

    /// Frames with a usable face so far.
    public var usableFrames: Int { faces.compactMap { $0 }.count }

    /// Measures one frame of the clip (in order).
    public func add(frame: RGBImage) {
        frames.append(frame)
        faces.append(try? IdentityFace.prepare(image: frame, named: "frame \(frames.count - 1)", analyzer: analyzer))
    }

    /// `perFrame` samples for each usable frame t, with s `gaps` frames from t (either way) and u a third frame.
    public func samples(perFrame: Int, gaps: ClosedRange<Int>, using generator: inout some RandomNumberGenerator) throws -> [Sample] {
        let usable = faces.indices.filter { faces[$0] != nil }
        var samples: [Sample] = []
        for target in usable {
            let sources = usable.filter { gaps.contains(abs($0 - target)) }
            for _ in 0..<perFrame {
                guard let source = sources.randomElement(using: &generator),
                      let third = usable.filter({ $0 != source && $0 != target }).randomElement(using: &generator),
                      let sourceFace = faces[source], let thirdFace = faces[third]
                else { continue }
                let shift = LightingShift.random(using: &generator)
                try swap.setIdentity(IdentityFace(texture: shift.applied(to: sourceFace.texture), mesh: sourceFace.mesh, embedding: sourceFace.embedding))
                guard let swapped = try swap.swapFaces(frames[target]), let face = swapped.faces.first else { continue }
                let crop = FaceCrop(mesh: face.mesh, scale: LiveRefinement.cropScale)
                samples.append(Sample(
                    composite: crop.extract(from: swapped.image, size: side), target: crop.extract(from: frames[target], size: side),
                    mask: Self.mask(face, crop: crop, side: side), embedding: thirdFace.embedding,
                    frames: SIMD3(Int32(target), Int32(source), Int32(third))))
            }
        }
        return samples
    }

    /// The face's blend mask resampled (nearest) into the crop.
    static func mask(_ face: SwappedFace, crop: FaceCrop, side: Int) -> [UInt8] {
        let region = face.region
        var values = [UInt8](repeating: 0, count: side * side)
        for v in 0..<side {
            for u in 0..<side {
                let point = crop.imagePoint(SIMD2(Float(u) + 0.5, Float(v) + 0.5), size: side)
                let x = Int(point.x.rounded(.down)) - region.left, y = Int(point.y.rounded(.down)) - region.top
                guard x >= 0, y >= 0, x < region.width, y < region.height else { continue }
                values[v * side + u] = UInt8((min(max(face.mask[y * region.width + x], 0), 1) * 255).rounded())
            }
        }
        return values
    }
}
