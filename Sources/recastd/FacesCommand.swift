import ArgumentParser
import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import RecastSwap

/// `recastd faces IMAGE`: every face in a picture, measured by the bundled models.
struct FacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces",
        abstract: "Find the faces in an image: boxes, scores, 5 keypoints, the 468-point mesh (image pixels) and identity embeddings."
    )

    @Argument(help: "An image (JPEG, PNG, …) or video (its first frame).")
    var image: String

    @Flag(help: "Print JSON: {\"faces\": [{\"box\": [x, y, w, h], \"score\": s, \"keypoints\": [[x, y] ×5], \"mesh\": [[x, y, z] ×468], \"embedding\": [256 numbers, L2-normalised]}]}.")
    var json = false

    @Option(help: "Directory of the converted models (default: the bundled Models/).")
    var models: String?

    @Option(name: .customLong("detect-size"), help: "Longest image side used for detection; larger finds smaller faces, slower.")
    var detectSize = 640

    @Option(help: "Lowest detection score reported, 0–1.")
    var threshold: Float = 0.7

    func run() throws {
        bootstrapQuietLogging()
        do {
            let picture = try RGBImage.load(path: image)
            let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
            let analyzer = try FaceAnalyzer(engine: engine, models: ModelDirectory.locate(explicit: models))
            analyzer.detectionSize = detectSize
            analyzer.scoreThreshold = threshold
            let faces = try analyzer.analyze(picture)
            print(json ? try Self.json(faces) : Self.summary(faces, image: image, picture: picture))
        } catch {
            FileHandle.standardError.write(Data("recastd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func json(_ faces: [AnalyzedFace]) throws -> String {
        func round(_ value: Float) -> Double { (Double(value) * 100).rounded() / 100 }
        let entries: [[String: Any]] = faces.map { face in
            [
                "box": [face.box.x, face.box.y, face.box.width, face.box.height].map(round),
                "score": (Double(face.score) * 10_000).rounded() / 10_000,
                "keypoints": face.keypoints.map { [round($0.x), round($0.y)] },
                "mesh": face.mesh.map { [round($0.x), round($0.y), round($0.z)] },
                "embedding": face.embedding.map { (Double($0) * 1e6).rounded() / 1e6 },
            ]
        }
        let data = try JSONSerialization.data(withJSONObject: ["faces": entries], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func summary(_ faces: [AnalyzedFace], image: String, picture: RGBImage) -> String {
        var lines = ["\(image): \(picture.width)x\(picture.height), \(faces.count) face\(faces.count == 1 ? "" : "s")"]
        for (index, face) in faces.enumerated() {
            lines.append(String(format: "  %d: box %.0f,%.0f %.0fx%.0f  score %.3f  mesh presence %.2f",
                                index, face.box.x, face.box.y, face.box.width, face.box.height, face.score, face.meshPresence))
        }
        return lines.joined(separator: "\n")
    }
}
