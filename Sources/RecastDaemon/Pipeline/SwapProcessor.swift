import Foundation
import RecastMedia
import RecastSwap

/// The processing stage that replaces the chosen faces in each frame with the identity (`WarpSwap`) and, with a
/// refiner, refines the result (`LiveRefinement`); frames without a face pass through unchanged and are counted.
public final class SwapProcessor: FrameProcessor, @unchecked Sendable {
    // @unchecked: called from the one processing thread only (reloads come from the signal queue; both
    // WarpSwap and FaceRefiner guard their identity).
    private let swap: WarpSwap
    private let refinement: LiveRefinement?
    private let converter = FrameConverter()
    public private(set) var framesWithoutFace = 0

    public init(swap: WarpSwap, refinement: LiveRefinement? = nil) throws {
        self.swap = swap
        try refinement?.setIdentity(swap.identity)
        // `auto` may have found the device too slow: an off refinement is dropped, so that an identity reload
        // does not prepare the refiner's reference attention for nothing.
        self.refinement = refinement?.mode == .off ? nil : refinement
    }

    deinit {
        refinement?.finish()
    }

    /// Replaces the identity from `image`; on failure the previous one stays (see `WarpSwap.reloadIdentity`).
    public func reloadIdentity(from image: String) throws {
        try swap.reloadIdentity(from: image)
        try refinement?.setIdentity(swap.identity)
    }

    public func process(_ frame: VideoFrame) throws -> VideoFrame {
        let image = RGBImage(width: frame.width, height: frame.height, pixels: try converter.rgb(frame))
        let time = Double(frame.timestamp) / 1e6
        guard let swapped = try swap.swapFaces(image, at: time) else {
            framesWithoutFace += 1
            refinement?.faceLost()
            return frame
        }
        let output = try refinement?.apply(to: swapped, at: time) ?? swapped.image
        return try converter.frame(fromRGB: output, format: .i420, timestamp: frame.timestamp, capturedAt: frame.capturedAt)
    }
}
