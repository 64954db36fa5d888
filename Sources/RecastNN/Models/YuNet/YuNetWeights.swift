/// Reads YuNet's converted weights (tools/convert_yunet.py): `<module>.weight` in PyTorch layout
/// [out, in/groups, kh, kw] and `<module>.bias` [out], for every convolution.
struct YuNetWeights {
    struct Convolution {
        var weight: [Float]
        var bias: [Float]
        var outChannels: Int
        var inChannels: Int
    }

    let file: SafeTensorsFile

    func convolution(_ name: String) throws -> Convolution {
        let shape = try file.info("\(name).weight").shape
        guard shape.count == 4 else {
            throw SafeTensorsError.badTensor(path: file.path, tensor: "\(name).weight", detail: "has shape \(shape), expected 4 dimensions")
        }
        return Convolution(
            weight: try file.floats("\(name).weight"), bias: try file.floats("\(name).bias", shape: [shape[0]]),
            outChannels: shape[0], inChannels: shape[1])
    }

    /// Several convolutions with the same input, stacked along their outputs (PyTorch layout is output-major,
    /// so their weights simply concatenate).
    func stacked(_ names: [String]) throws -> Convolution {
        let parts = try names.map(convolution)
        return Convolution(
            weight: parts.flatMap(\.weight), bias: parts.flatMap(\.bias),
            outChannels: parts.reduce(0) { $0 + $1.outChannels }, inChannels: parts[0].inChannels)
    }
}
