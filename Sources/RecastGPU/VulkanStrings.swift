import Foundation

/// Reads a NUL-terminated string from a fixed-size C `char[N]` member (imported as a tuple).
func stringFromCCharTuple<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// Calls `body` with a C array of C strings that stays valid for the call.
func withCStringArray<R>(
    _ strings: [String],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R
) rethrows -> R {
    let duplicated = strings.map { UnsafePointer(strdup($0)) }
    defer { duplicated.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    return try duplicated.withUnsafeBufferPointer { try body($0.baseAddress) }
}
