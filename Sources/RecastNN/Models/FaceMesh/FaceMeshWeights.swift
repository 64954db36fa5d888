/// Reads the face mesh's converted weights (tools/convert_face_mesh.py): `<module>.weight` in PyTorch layout
/// [out, in/groups, kh, kw], `<module>.bias` [out], and `<module>.slope` [C] for each PReLU.
struct FaceMeshWeights {
    let engine: TensorEngine
    let file: SafeTensorsFile

    /// The convolution `name`, with its shape read from the file; `prelu` names the PReLU fused after it.
    func convolution(
        _ name: String, stride: Int = 1, padding: Int, depthwise: Bool = false, prelu: String? = nil
    ) throws -> ConvolutionLayer {
        let shape = try file.info("\(name).weight").shape
        guard shape.count == 4, shape[2] == shape[3] else {
            throw SafeTensorsError.badTensor(path: file.path, tensor: "\(name).weight", detail: "has shape \(shape), expected [out, in, k, k]")
        }
        let outChannels = shape[0]
        let groups = depthwise ? outChannels : 1
        return try ConvolutionLayer(
            engine: engine,
            shape: ConvolutionShape(
                inChannels: shape[1] * groups, outChannels: outChannels, kernel: shape[2], stride: stride, padding: padding, groups: groups),
            weights: file.floats("\(name).weight"), bias: file.floats("\(name).bias", shape: [outChannels]),
            activation: prelu == nil ? .none : .prelu,
            preluSlopes: try prelu.map { try file.floats("\($0).slope", shape: [outChannels]) })
    }
}
