import Foundation
import RecastGPU
import RecastNN

/// The networks shipped in Models/, run on named tensors (NHWC at this
/// boundary). `recastd infer` and `recastd bench models` go through here.
enum BundledNetwork: String, CaseIterable {
    case yunet
    case faceMesh = "face_mesh"
    case taef2Encoder = "taef2_encoder"
    case taef2Decoder = "taef2_decoder"
    case mobileface

    /// One named tensor: shape and fp32 values.
    struct NamedTensor {
        var shape: [Int]
        var values: [Float]
    }

    /// The input the network takes, for documentation and error messages.
    var inputDescription: String {
        switch self {
        case .yunet: return "image [1, H, W, 3]: RGB 0–255"
        case .faceMesh: return "image [1, 192, 192, 3]: RGB in [0, 1]"
        case .taef2Encoder: return "image [N, H, W, 3]: RGB in [0, 1], H and W multiples of 8"
        case .taef2Decoder: return "latent [N, h, w, 32]"
        case .mobileface: return "faces [N, 112, 112, 3]: aligned faces, BGR 0–255"
        }
    }

    var inputName: String {
        switch self {
        case .yunet, .faceMesh, .taef2Encoder: return "image"
        case .taef2Decoder: return "latent"
        case .mobileface: return "faces"
        }
    }

    /// A loaded network, ready to run repeatedly.
    final class Instance {
        let run: ([String: NamedTensor]) throws -> [String: NamedTensor]
        init(run: @escaping ([String: NamedTensor]) throws -> [String: NamedTensor]) { self.run = run }
    }

    struct InputError: Error, CustomStringConvertible {
        let description: String
    }

    func load(engine: TensorEngine, models: URL, scoreThreshold: Float = 0.6) throws -> Instance {
        let network = self
        func input(_ inputs: [String: NamedTensor], rank: Int, check: ([Int]) -> Bool = { _ in true }) throws -> NamedTensor {
            guard let tensor = inputs[network.inputName], tensor.shape.count == rank, check(tensor.shape) else {
                throw InputError(description: "\(network.rawValue) takes \(network.inputDescription); got \(inputs.mapValues(\.shape))")
            }
            return tensor
        }
        switch self {
        case .yunet:
            let detector = try YuNetDetector(engine: engine, weightsPath: models.appendingPathComponent("yunet/yunet_s.safetensors").path)
            return Instance { inputs in
                let image = try input(inputs, rank: 4) { $0[0] == 1 && $0[3] == 3 }
                let faces = try detector.heads(rgb: image.values, width: image.shape[2], height: image.shape[1])
                    .faces(scoreThreshold: scoreThreshold)
                // One row per face in OpenCV FaceDetectorYN's layout: x, y, w, h, five keypoints (x, y), score.
                let rows = faces.flatMap { face in
                    [face.x, face.y, face.width, face.height] + face.keypoints.flatMap { [$0.x, $0.y] } + [face.score]
                }
                return ["faces": NamedTensor(shape: [faces.count, 15], values: rows)]
            }
        case .faceMesh:
            let model = try FaceMeshModel(engine: engine, weightsPath: models.appendingPathComponent("face_mesh/face_landmark.safetensors").path)
            return Instance { inputs in
                let image = try input(inputs, rank: 4) { $0 == [1, FaceMeshModel.inputSize, FaceMeshModel.inputSize, 3] }
                let mesh = try model.landmarks(input: image.values)
                return [
                    "landmarks": NamedTensor(shape: [1, FaceMeshModel.pointCount, 3], values: mesh.points.flatMap { [$0.x, $0.y, $0.z] }),
                    "presence": NamedTensor(shape: [1], values: [mesh.presence]),
                ]
            }
        case .taef2Encoder, .taef2Decoder:
            let file = try SafeTensorsFile(path: models.appendingPathComponent("taef2/taef2.safetensors").path)
            if self == .taef2Encoder {
                let encoder = try TAEF2Encoder(engine: engine, weights: file)
                return Instance { inputs in
                    let image = try input(inputs, rank: 4) { $0[3] == 3 && $0[1] % 8 == 0 && $0[2] % 8 == 0 }
                    let latent = try encoder.encode(engine.makeTensor(shape: image.shape, values: image.values))
                    return ["latent": NamedTensor(shape: latent.shape, values: try engine.read(latent))]
                }
            }
            let decoder = try TAEF2Decoder(engine: engine, weights: file)
            return Instance { inputs in
                let latent = try input(inputs, rank: 4) { $0[3] == TAEF2Encoder.latentChannels }
                let image = try decoder.decode(engine.makeTensor(shape: latent.shape, values: latent.values))
                return ["image": NamedTensor(shape: image.shape, values: try engine.read(image))]
            }
        case .mobileface:
            let embedder = try MobileFaceEmbedder(engine: engine, weightsPath: models.appendingPathComponent("mobileface/mobileface.safetensors").path)
            return Instance { inputs in
                let side = MobileFaceEmbedder.faceSize
                let faces = try input(inputs, rank: 4) { $0[1] == side && $0[2] == side && $0[3] == 3 }
                let embeddings = try embedder.embed(alignedFaces: engine.makeTensor(shape: faces.shape, values: faces.values))
                return ["embeddings": NamedTensor(shape: [embeddings.count, MobileFaceEmbedder.embeddingSize], values: embeddings.flatMap { $0 })]
            }
        }
    }
}
