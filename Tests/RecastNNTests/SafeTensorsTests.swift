import Foundation
import Testing
@testable import RecastNN

@Suite("safetensors")
struct SafeTensorsTests {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("recast-safetensors-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A file built by hand: header JSON, then raw data.
    func file(_ name: String, header: String, data: [UInt8], headerLength: UInt64? = nil) throws -> String {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (headerLength ?? UInt64(header.utf8.count)).littleEndian) { bytes += $0 }
        bytes += Array(header.utf8) + data
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("written tensors read back, with metadata")
    func roundTrip() throws {
        let path = directory.appendingPathComponent("round.safetensors").path
        try SafeTensorsWriter.write([("a", [2, 3], [1, 2, 3, 4, 5, 6]), ("b.c", [1], [-0.5])], metadata: ["format": "pt"], to: path)
        let file = try SafeTensorsFile(path: path)
        #expect(file.names == ["a", "b.c"])
        #expect(try file.floats("a", shape: [2, 3]) == [1, 2, 3, 4, 5, 6])
        #expect(try file.floats("b.c") == [-0.5])
        #expect(file.metadata["format"] == "pt")
    }

    @Test("F16 and BF16 are converted to fp32")
    func halfTypes() throws {
        let half: [Float16] = [1.5, -2, 0.25]
        var data: [UInt8] = []
        half.forEach { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 } }
        let bf16: [UInt16] = [0x3FC0, 0xC000]  // 1.5, -2
        bf16.forEach { value in withUnsafeBytes(of: value.littleEndian) { data += $0 } }
        let path = try file("half.safetensors", header: """
        {"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]}}
        """, data: data)
        let loaded = try SafeTensorsFile(path: path)
        #expect(try loaded.floats("h") == [1.5, -2, 0.25])
        #expect(try loaded.floats("b") == [1.5, -2])
    }

    @Test("damaged files are refused with a message naming the problem", arguments: [
        ("short", "", [UInt8](), UInt64(0), "not even a header length"),
        ("oversized header", "{}", [UInt8](), UInt64(1 << 40), "is truncated: header of"),
        ("not json", "{nope", [UInt8](), nil, "not a JSON object"),
        ("shape mismatch", #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#, [UInt8](repeating: 0, count: 12), nil,
         "tensor 'w' holds 12 bytes but shape [2, 2] of F32 needs 16"),
        ("past the end", #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, [UInt8](repeating: 0, count: 8), nil,
         "tensor 'w' ends at 16"),
        ("overlap", #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
         [UInt8](repeating: 0, count: 12), nil, "overlaps tensor"),
        ("dtype", #"{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8), nil,
         "tensor 'i' has dtype I64"),
        ("negative shape", #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, [UInt8](), nil, "invalid shape"),
    ] as [(String, String, [UInt8], UInt64?, String)])
    func damaged(_ label: String, _ header: String, _ data: [UInt8], _ headerLength: UInt64?, _ expected: String) throws {
        let path: String
        if label == "short" {
            path = directory.appendingPathComponent("short.safetensors").path
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        } else {
            path = try file("\(label).safetensors", header: header, data: data, headerLength: headerLength)
        }
        #expect { _ = try SafeTensorsFile(path: path) } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("a missing tensor and a wrong expected shape are named")
    func lookups() throws {
        let path = directory.appendingPathComponent("lookup.safetensors").path
        try SafeTensorsWriter.write([("w", [3], [1, 2, 3])], to: path)
        let file = try SafeTensorsFile(path: path)
        #expect { _ = try file.floats("v") } throws: { "\($0)".contains("has no tensor 'v'") }
        #expect { _ = try file.floats("w", shape: [1, 3]) } throws: { "\($0)".contains("tensor 'w' has shape [3], expected [1, 3]") }
        #expect { _ = try SafeTensorsFile(path: "/nonexistent.safetensors") } throws: { "\($0)".contains("No such file") }
    }
}
