import Foundation
import RecastGPU
import RecastNN
import Testing

/// This suite's validated context (created once, on first use): validation errors fail the tests.
private let mobileFaceTestContext: Result<GPUContext, any Error> = Result {
    var options = GPUContextOptions()
    options.validation = .required
    options.pipelineCacheDirectory = nil
    return try GPUContext(options: options)
}

/// MobileFace V2 on the Vulkan ops against the MXNet symbol graph interpreted by
/// tools/fixtures_mobileface.py (Tests/Fixtures/mobileface), on two colour face crops and the
/// 100 LFW faces of Tests/Fixtures/lfw_pairs.
@Suite("MobileFace vs MXNet symbol graph", .serialized)
struct MobileFaceTests {
    static let lfwSide = 100
    static let batch = 50
    let reference: SafeTensorsFile

    init() throws {
        reference = try SafeTensorsFile(path: ModelFixtures.fixture("mobileface/mobileface_reference.safetensors"))
    }

    /// The embedder on an engine storing tensors in `precision`: the daemon takes fp32 on lavapipe and fp16 on GPUs.
    func makeEmbedder(_ precision: StoragePrecision) throws -> MobileFaceEmbedder {
        let engine = try TensorEngine(gpu: mobileFaceTestContext.get(), precision: precision)
        return try MobileFaceEmbedder(engine: engine, weightsPath: ModelFixtures.model("mobileface/mobileface.safetensors"))
    }

    @Test("embeddings of colour face crops have cosine ≥ 0.999 to the reference", arguments: StoragePrecision.allCases)
    func faceCropsMatchReference(precision: StoragePrecision) throws {
        let embedder = try makeEmbedder(precision)
        let engine = embedder.engine
        let faces = try engine.makeTensor(shape: try reference.info("faces").shape, values: reference.floats("faces"))
        let start = Date()
        let embeddings = try embedder.embed(alignedFaces: faces)
        let milliseconds = Date().timeIntervalSince(start) * 1000 / Double(embeddings.count)
        let expected = try rows(reference.floats("faces_embedding", shape: [2, 256]), width: 256)
        let cosines = zip(embeddings, expected).map { MobileFaceEmbedder.cosineSimilarity($0, $1) }
        print("MobileFace 112×112 [\(engine.precision)]: cosine to reference \(cosines), \(Int(milliseconds)) ms per face (first call)")
        #expect(embeddings.count == 2 && cosines.allSatisfy { $0 >= 0.999 }, "cosines \(cosines)")
        let single = try embedder.embed(alignedFace: reference.floats("faces").prefix(112 * 112 * 3).map { $0 })
        #expect(MobileFaceEmbedder.cosineSimilarity(single, expected[0]) >= 0.999)
        expectNoValidationErrors(embedder)
    }

    /// Pair protocol: the 50 same-person pairs (each person's two images) against the 1225
    /// different-person pairs (the first images of every two people); the score is the fraction of
    /// (same, different) combinations where the same-person pair has the higher cosine (ROC AUC).
    /// The goal is ≥ 95%, but the original network itself reaches only about 81% on these
    /// grayscale 100×100 crops (the fixture script prints it), so this requires the port to rank the
    /// pairs as the original does: AUC within 0.01 of the reference's, and every embedding at cosine ≥ 0.999.
    @Test("LFW pairs: embeddings match the reference and rank same-person pairs as it does", arguments: StoragePrecision.allCases)
    func lfwPairsRankLikeReference(precision: StoragePrecision) throws {
        let embedder = try makeEmbedder(precision)
        let paths = try lfwPaths()
        let pixels = try decodeGray(paths)
        let facePixels = Self.lfwSide * Self.lfwSide
        var embeddings: [[Float]] = []
        let start = Date()
        for first in stride(from: 0, to: paths.count, by: Self.batch) {
            let count = min(Self.batch, paths.count - first)
            let faces = try lfwFaces(Array(pixels[first * facePixels..<(first + count) * facePixels]), count: count, engine: embedder.engine)
            embeddings += try embedder.embed(alignedFaces: faces)
        }
        let milliseconds = Date().timeIntervalSince(start) * 1000 / Double(paths.count)
        let expected = try rows(reference.floats("lfw_embedding", shape: [paths.count, 256]), width: 256)
        let worstCosine = zip(embeddings, expected).map { MobileFaceEmbedder.cosineSimilarity($0, $1) }.min() ?? 0
        let auc = pairAUC(embeddings), referenceAUC = pairAUC(expected)
        print("MobileFace LFW [\(precision)]: worst cosine to reference \(worstCosine), pair AUC \(auc) "
            + "(reference \(referenceAUC)), \(Int(milliseconds)) ms per face in batches of \(Self.batch)")
        #expect(worstCosine >= 0.999)
        #expect(abs(auc - referenceAUC) <= 0.01, "AUC \(auc), reference \(referenceAUC)")
        expectNoValidationErrors(embedder)
    }

    @Test("faces that are not 112×112×3 are refused")
    func refusesWrongSize() throws {
        let embedder = try makeEmbedder(.float32)
        let faces = try embedder.engine.makeTensor(shape: [1, 100, 100, 3])
        #expect(throws: NNError.self) { try embedder.embed(alignedFaces: faces) }
    }

    func rows(_ values: [Float], width: Int) -> [[Float]] {
        stride(from: 0, to: values.count, by: width).map { Array(values[$0..<$0 + width]) }
    }

    func pairAUC(_ embeddings: [[Float]]) -> Double {
        let people = embeddings.count / 2
        let same = (0..<people).map { MobileFaceEmbedder.cosineSimilarity(embeddings[2 * $0], embeddings[2 * $0 + 1]) }
        var different: [Float] = []
        for i in 0..<people {
            for j in (i + 1)..<people {
                different.append(MobileFaceEmbedder.cosineSimilarity(embeddings[2 * i], embeddings[2 * j]))
            }
        }
        let wins = same.reduce(0) { count, s in count + different.filter { s > $0 }.count }
        return Double(wins) / Double(same.count * different.count)
    }

    /// The LFW images in pairs.txt order: each person's two images, person after person.
    func lfwPaths() throws -> [String] {
        let list = try String(contentsOfFile: ModelFixtures.fixture("lfw_pairs/pairs.txt"), encoding: .utf8)
        return list.split(whereSeparator: \.isNewline).flatMap { $0.split(separator: " ") }
            .map { ModelFixtures.fixture("lfw_pairs/\($0)") }
    }

    /// `count` grayscale 100×100 faces with gray in all three channels, upscaled bilinearly to [count, 112, 112, 3].
    func lfwFaces(_ gray: [Float], count: Int, engine: TensorEngine) throws -> Tensor {
        let faces = try engine.makeTensor(shape: [count, Self.lfwSide, Self.lfwSide, 3], values: gray.flatMap { [$0, $0, $0] })
        return try engine.resize(faces, height: MobileFaceEmbedder.faceSize, width: MobileFaceEmbedder.faceSize, mode: .bilinear)
    }

    /// The JPEGs' gray pixels, image after image, decoded by one ffmpeg run (as the fixture script's ffmpeg decodes them).
    func decodeGray(_ paths: [String]) throws -> [Float] {
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("recast-lfw-\(UUID().uuidString).txt")
        try paths.map { "file '\($0)'" }.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: list) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffmpeg", "-v", "error", "-f", "concat", "-safe", "0", "-i", list.path,
            "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "gray", "-",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, data.count == paths.count * Self.lfwSide * Self.lfwSide else {
            throw LFWDecodingFailed(status: process.terminationStatus, bytes: data.count, expected: paths.count * Self.lfwSide * Self.lfwSide)
        }
        return data.map { Float($0) }
    }

    func expectNoValidationErrors(_ embedder: MobileFaceEmbedder, sourceLocation: SourceLocation = #_sourceLocation) {
        let errors = embedder.engine.gpu.instance.messages.drain().filter { $0.severity == .error }
        #expect(errors.isEmpty, "validation errors: \(errors)", sourceLocation: sourceLocation)
    }
}

/// The `ffmpeg` program could not decode the LFW fixtures (it is missing, or failed).
struct LFWDecodingFailed: Error, CustomStringConvertible {
    let status: Int32
    let bytes: Int
    let expected: Int

    var description: String {
        "ffmpeg (the program, from the ffmpeg package) exited with status \(status) and wrote \(bytes) of \(expected) bytes of the LFW faces"
    }
}
