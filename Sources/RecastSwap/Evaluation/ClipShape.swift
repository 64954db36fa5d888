/// A clip's picture size and frame count: what must agree between a source and its swapped output,
/// since their frames are compared by index.
public struct ClipShape: Sendable, Equatable {
    public var path: String
    public var width: Int
    public var height: Int
    public var frames: Int

    public init(path: String, width: Int, height: Int, frames: Int) {
        self.path = path
        self.width = width
        self.height = height
        self.frames = frames
    }

    /// Refuses a pair whose frames cannot be compared one to one.
    public static func checkPaired(source: ClipShape, output: ClipShape) throws(EvaluationError) {
        for clip in [source, output] where clip.frames == 0 { throw .noFrames(clip.path) }
        guard source.width == output.width, source.height == output.height else { throw .sizeMismatch(source: source, output: output) }
        guard source.frames == output.frames else { throw .frameCountMismatch(source: source, output: output) }
    }
}

/// Why a source and output clip cannot be evaluated together, with what to do about it.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case noFrames(String)
    case sizeMismatch(source: ClipShape, output: ClipShape)
    case frameCountMismatch(source: ClipShape, output: ClipShape)

    public var description: String {
        switch self {
        case .noFrames(let path):
            return "\(path) has no video frames"
        case .sizeMismatch(let source, let output):
            return "the source \(source.path) is \(source.width)x\(source.height) but the output \(output.path) is "
                + "\(output.width)x\(output.height): evaluate an output made from this source at its own size (no --size)"
        case .frameCountMismatch(let source, let output):
            return "the source \(source.path) has \(source.frames) frames but the output \(output.path) has \(output.frames): "
                + "frames are compared by index, so evaluate an output made from this whole source (recastd run drops none from a file)"
        }
    }
}
