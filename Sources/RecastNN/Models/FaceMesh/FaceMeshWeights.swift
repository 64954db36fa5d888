/// Reads the face mesh's converted weights (tools/convert_face_mesh.py): `<module>.weight` in PyTorch layout
/// [out, in/groups, kh, kw], `<module>.bias` [out], and `<module>.slope` [C] for each PReLU.
struct FaceMeshWeights {
    let engine: TensorEngine
    let file: SafeTensorsFile

    /// The convolution `name`, with its shape read from the file; `prelu` names the PReLU fused after it.
    /// - Parameter padBottomRight: zeros after the last row and column instead of `padding`.
    func convolution(_ name: String, stride: Int = 1, padding: Int, padBottomRight: Int? = nil, prelu: String? = nil) throws -> ConvolutionLayer {
        let shape = try weightShape(name)
        var convolution = ConvolutionShape(inChannels: shape[1], outChannels: shape[0], kernel: shape[2], stride: stride, padding: padding)
        convolution.padBottom = padBottomRight ?? padding
        convolution.padRight = padBottomRight ?? padding
        return try ConvolutionLayer(
            engine: engine,
            shape: convolution,
            weights: file.floats("\(name).weight"), bias: file.floats("\(name).bias", shape: [shape[0]]),
            activation: prelu == nil ? .none : .prelu,
            preluSlopes: try prelu.map { try file.floats("\($0).slope", shape: [shape[0]]) })
    }

    /// The depthwise convolution `name` ([C, 1, k, k]) with TFLite's SAME padding: centred at stride 1, bottom and
    /// right only at stride 2 (the sizes here are even).
    func depthwise(_ name: String, stride: Int) throws -> DepthwiseConvolutionLayer {
        let shape = try weightShape(name)
        let extra = shape[2] - stride
        return try DepthwiseConvolutionLayer(
            engine: engine,
            shape: DepthwiseConvolutionShape(
                channels: shape[0], kernel: shape[2], stride: stride,
                padTop: extra / 2, padLeft: extra / 2, padBottom: extra - extra / 2, padRight: extra - extra / 2),
            weights: file.floats("\(name).weight"), bias: file.floats("\(name).bias", shape: [shape[0]]))
    }

    /// The residual block `prefix` (BlazeFace style): PReLU(pointwise(depthwise3×3(x)) + shortcut(x)), the shortcut
    /// 2×2 max-pooled where the block strides and widened with zero channels where it widens.
    func block(_ prefix: String, stride: Int = 1) throws -> DepthwisePointwiseBlock {
        try DepthwisePointwiseBlock(
            depthwise: depthwise("\(prefix).depthwise", stride: stride),
            pointwise: convolution("\(prefix).pointwise", padding: 0, prelu: "\(prefix).prelu"))
    }

    private func weightShape(_ name: String) throws -> [Int] {
        let shape = try file.info("\(name).weight").shape
        guard shape.count == 4, shape[2] == shape[3] else {
            throw SafeTensorsError.badTensor(path: file.path, tensor: "\(name).weight", detail: "has shape \(shape), expected [out, in, k, k]")
        }
        return shape
    }
}
