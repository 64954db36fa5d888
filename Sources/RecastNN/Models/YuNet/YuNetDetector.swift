import Foundation
import RecastGPU

/// The YuNet face detector on the Vulkan ops: any input size, with OpenCV FaceDetectorYN's decoding and
/// non-maximum suppression. Command buffers are recorded once per input size and replayed.
/// `@unchecked Sendable`: the per-size plans are guarded by `lock`, and a plan runs under it.
public final class YuNetDetector: @unchecked Sendable {
    /// One input size's recorded network, with its input and head tensors.
    private struct Plan {
        let input: Tensor
        let heads: [Tensor]
        let sequence: CommandSequence
        let paddedWidth: Int
        let paddedHeight: Int
    }

    public let engine: TensorEngine
    private let network: YuNetNetwork
    private var plans: [SIMD2<Int>: Plan] = [:]
    private let lock = NSLock()

    /// Loads `Models/yunet/yunet_s.safetensors` (or another file written by tools/convert_yunet.py).
    public init(engine: TensorEngine, weightsPath: String) throws {
        self.engine = engine
        network = try YuNetNetwork(engine: engine, file: SafeTensorsFile(path: weightsPath))
    }

    /// Finds faces in an image.
    /// - Parameters:
    ///   - rgb: `width × height` pixels, row-major, 3 bytes per pixel in R, G, B order, values 0–255 as they are
    ///     (no normalisation). The original network takes OpenCV's BGR; this port swaps the first layer's input
    ///     channels instead, so results equal FaceDetectorYN given the same image in BGR.
    ///   - scoreThreshold: faces scoring below it are dropped (OpenCV's default 0.9; 0.6 finds more, smaller faces).
    ///   - nmsThreshold: overlapping faces with IoU above it are suppressed, keeping the higher score.
    ///   - topK: most candidates considered by the suppression.
    /// - Returns: faces in input pixel coordinates, highest score first. Any size works; like OpenCV, the image is
    ///   zero-padded at the bottom and right to a multiple of 32 for the network. Faces are best found at 40–250 px
    ///   across, so pass frames resized to e.g. 320×240 or 640×480 and scale the results back.
    public func detect(
        rgb: [UInt8], width: Int, height: Int, scoreThreshold: Float = 0.9, nmsThreshold: Float = 0.3, topK: Int = 5000
    ) throws -> [DetectedFace] {
        try heads(rgb: rgb.map { Float($0) }, width: width, height: height)
            .faces(scoreThreshold: scoreThreshold, nmsThreshold: nmsThreshold, topK: topK)
    }

    /// The network's raw outputs for `rgb`: `width × height × 3` floats, row-major RGB, 0–255.
    public func heads(rgb: [Float], width: Int, height: Int) throws -> YuNetHeads {
        guard width > 0, height > 0, rgb.count == width * height * 3 else {
            throw NNError.shapeMismatch(op: "YuNet", detail: "\(rgb.count) values for a \(width)×\(height) RGB image")
        }
        return try lock.withLock {
            let plan = try plans[SIMD2(width, height)] ?? makePlan(width: width, height: height)
            plans[SIMD2(width, height)] = plan
            try upload(rgb, width: width, height: height, into: plan)
            try plan.sequence.run()
            return YuNetHeads(
                values: try plan.heads.map { try engine.read($0) }, paddedWidth: plan.paddedWidth, paddedHeight: plan.paddedHeight)
        }
    }

    private func makePlan(width: Int, height: Int) throws -> Plan {
        let paddedWidth = (width + 31) / 32 * 32
        let paddedHeight = (height + 31) / 32 * 32
        let graph = ModelGraphRecorder(engine: engine)
        // The padded image as the stem convolution takes it from the host (unfolded on CPU devices).
        let input = try engine.makeTensor(shape: network.stemConvolution.hostInputShape(height: paddedHeight, width: paddedWidth))
        let heads = try network.encode(input, in: graph)
        return Plan(
            input: input, heads: heads, sequence: try graph.recorder.finish(), paddedWidth: paddedWidth, paddedHeight: paddedHeight)
    }

    /// Writes the image into the top left of the padded input, in the stem convolution's layout.
    private func upload(_ rgb: [Float], width: Int, height: Int, into plan: Plan) throws {
        let values = network.stemConvolution.hostInput(rgb, height: height, width: width, mapHeight: plan.paddedHeight, mapWidth: plan.paddedWidth)
        try engine.write(values, to: plan.input)
    }
}
