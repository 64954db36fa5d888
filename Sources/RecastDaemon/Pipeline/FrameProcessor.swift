import RecastMedia

/// The stage between capture and the outputs. The swap stages plug in here.
public protocol FrameProcessor: AnyObject, Sendable {
    func process(_ frame: VideoFrame) throws -> VideoFrame
}

/// Hands frames on unchanged.
public final class PassThroughProcessor: FrameProcessor {
    public init() {}
    public func process(_ frame: VideoFrame) throws -> VideoFrame { frame }
}
