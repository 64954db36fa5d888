import Foundation
import Glibc
import RecastSystem

/// Element types a safetensors file may hold that Recast reads.
public enum SafeTensorsDType: String, Sendable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"

    public var byteCount: Int { self == .f32 ? 4 : 2 }
}

/// A safetensors file that cannot be used, naming the tensor at fault where there is one.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case truncated(path: String, detail: String)
    case badHeader(path: String, detail: String)
    case badTensor(path: String, tensor: String, detail: String)
    case missingTensor(path: String, tensor: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .truncated(let path, let detail): return "\(path) is truncated: \(detail)"
        case .badHeader(let path, let detail): return "\(path) has an invalid safetensors header: \(detail)"
        case .badTensor(let path, let tensor, let detail): return "\(path): tensor '\(tensor)' \(detail)"
        case .missingTensor(let path, let tensor): return "\(path) has no tensor '\(tensor)'"
        }
    }
}

/// One tensor's place in the file.
public struct SafeTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte range within the data section.
    public let range: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A memory-mapped safetensors file (8-byte header length, JSON header,
/// data). Every offset and shape is checked against the file before any
/// tensor is read, so a damaged file is refused with a message, never a crash.
public final class SafeTensorsFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and immutable after init.
    public let path: String
    public let tensors: [String: SafeTensorInfo]
    public let metadata: [String: String]
    private let mapping: UnsafeRawPointer
    private let mappedLength: Int
    private let dataStart: Int

    public init(path: String) throws {
        self.path = path
        let fd: Int32
        do {
            fd = try systemCall("opening \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
        } catch {
            throw SafeTensorsError.unreadable(path: path, reason: String(cString: strerror(error.errno)))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SafeTensorsError.unreadable(path: path, reason: "cannot stat") }
        let length = Int(status.st_size)
        guard length >= 8 else { throw SafeTensorsError.truncated(path: path, detail: "\(length) bytes, not even a header length") }
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw SafeTensorsError.unreadable(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        mapping = UnsafeRawPointer(address)
        mappedLength = length
        do {
            (tensors, metadata, dataStart) = try Self.parseHeader(mapping, length: length, path: path)
        } catch {
            munmap(address, length)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: mapping), mappedLength) }

    public var names: [String] { tensors.keys.sorted() }

    private static func parseHeader(_ base: UnsafeRawPointer, length: Int, path: String) throws
        -> ([String: SafeTensorInfo], [String: String], Int)
    {
        let headerLength = base.loadUnaligned(as: UInt64.self).littleEndian
        guard headerLength <= UInt64(length - 8) else {
            throw SafeTensorsError.truncated(path: path, detail: "header of \(headerLength) bytes in a \(length)-byte file")
        }
        let dataStart = 8 + Int(headerLength)
        let dataLength = length - dataStart
        let headerData = Data(bytes: base + 8, count: Int(headerLength))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw SafeTensorsError.badHeader(path: path, detail: "not a JSON object")
        }
        var tensors: [String: SafeTensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let entries = value as? [String: String] else {
                    throw SafeTensorsError.badHeader(path: path, detail: "__metadata__ must map strings to strings")
                }
                metadata = entries
                continue
            }
            tensors[name] = try parseTensor(name: name, value, dataLength: dataLength, path: path)
        }
        let ordered = tensors.values.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (first, second) in zip(ordered, ordered.dropFirst()) where first.range.overlaps(second.range) {
            throw SafeTensorsError.badTensor(path: path, tensor: second.name, detail: "overlaps tensor '\(first.name)'")
        }
        return (tensors, metadata, dataStart)
    }

    private static func parseTensor(name: String, _ value: Any, dataLength: Int, path: String) throws -> SafeTensorInfo {
        func bad(_ detail: String) -> SafeTensorsError { .badTensor(path: path, tensor: name, detail: detail) }
        guard let entry = value as? [String: Any] else { throw bad("is not described by an object") }
        guard let typeName = entry["dtype"] as? String else { throw bad("has no dtype") }
        guard let dtype = SafeTensorsDType(rawValue: typeName) else { throw bad("has dtype \(typeName); Recast reads F32, F16 and BF16") }
        guard let shapeValues = entry["shape"] as? [NSNumber], let offsets = entry["data_offsets"] as? [NSNumber], offsets.count == 2 else {
            throw bad("needs a shape and two data_offsets")
        }
        let shape = shapeValues.map(\.intValue)
        guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else { throw bad("has an invalid shape \(shape)") }
        let (count, overflow) = shape.reduce((1, false)) { partial, dimension in
            let product = partial.0.multipliedReportingOverflow(by: dimension)
            return (product.partialValue, partial.1 || product.overflow)
        }
        let begin = offsets[0].intValue, end = offsets[1].intValue
        guard !overflow, begin >= 0, end >= begin else { throw bad("has invalid offsets \(begin)..<\(end)") }
        guard end - begin == count * dtype.byteCount else {
            throw bad("holds \(end - begin) bytes but shape \(shape) of \(typeName) needs \(count * dtype.byteCount)")
        }
        guard end <= dataLength else { throw SafeTensorsError.truncated(path: path, detail: "tensor '\(name)' ends at \(end), data is \(dataLength) bytes") }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, range: begin..<end)
    }

    public func info(_ name: String) throws -> SafeTensorInfo {
        guard let info = tensors[name] else { throw SafeTensorsError.missingTensor(path: path, tensor: name) }
        return info
    }

    /// The tensor's raw bytes, in the file's mapping.
    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let info = try info(name)
        return UnsafeRawBufferPointer(start: mapping + dataStart + info.range.lowerBound, count: info.range.count)
    }

    /// The tensor as fp32 values (converted from F16/BF16), checking the shape when one is given.
    public func floats(_ name: String, shape expected: [Int]? = nil) throws -> [Float] {
        let info = try info(name)
        if let expected, expected != info.shape {
            throw SafeTensorsError.badTensor(path: path, tensor: name, detail: "has shape \(info.shape), expected \(expected)")
        }
        let raw = try bytes(name)
        let count = info.elementCount
        switch info.dtype {
        case .f32:
            return (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        case .f16:
            return (0..<count).map { Float(raw.loadUnaligned(fromByteOffset: $0 * 2, as: Float16.self)) }
        case .bf16:
            return (0..<count).map { Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) << 16) }
        }
    }
}

/// Writes tensors as a safetensors file.
public enum SafeTensorsWriter {
    /// A tensor's values in the element type they are stored as.
    public enum Values: Sendable {
        case f32([Float])
        /// Bytes such as 8-bit pixels (dtype U8), which keep training data a quarter the size of fp32.
        case u8([UInt8])

        var count: Int {
            switch self {
            case .f32(let values): values.count
            case .u8(let values): values.count
            }
        }

        var dtype: (name: String, bytes: Int) {
            switch self {
            case .f32: ("F32", 4)
            case .u8: ("U8", 1)
            }
        }
    }

    public static func write(_ tensors: [(name: String, shape: [Int], values: [Float])], metadata: [String: String] = [:], to path: String) throws {
        try write(tensors.map { (name: $0.name, shape: $0.shape, values: Values.f32($0.values)) }, metadata: metadata, to: path)
    }

    public static func write(_ tensors: [(name: String, shape: [Int], values: Values)], metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for tensor in tensors {
            guard tensor.shape.reduce(1, *) == tensor.values.count else {
                throw SafeTensorsError.badTensor(path: path, tensor: tensor.name, detail: "has \(tensor.values.count) values for shape \(tensor.shape)")
            }
            let size = tensor.values.count * tensor.values.dtype.bytes
            header[tensor.name] = ["dtype": tensor.values.dtype.name, "shape": tensor.shape, "data_offsets": [offset, offset + size]]
            offset += size
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // The data section starts 8-byte aligned, as the format recommends.
        while (8 + json.count) % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        for tensor in tensors {
            switch tensor.values {
            case .f32(let values): values.withUnsafeBytes { file.append(contentsOf: $0) }
            case .u8(let values): file.append(contentsOf: values)
            }
        }
        do {
            try file.write(to: URL(fileURLWithPath: path))
        } catch {
            throw SafeTensorsError.unreadable(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
