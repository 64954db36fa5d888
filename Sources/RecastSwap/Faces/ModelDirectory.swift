import Foundation

/// Finds the bundled, converted weights (`Models/` in the repository, or an
/// installed copy) without Python and without any download.
public enum ModelDirectory {
    /// The error when no models directory holds what is asked for.
    public struct NotFound: Error, CustomStringConvertible {
        public let searched: [String]
        public var description: String {
            "bundled models not found (looked in \(searched.joined(separator: ", "))); pass --models DIR or set RECAST_MODELS"
        }
    }

    /// `explicit` if given, else $RECAST_MODELS, /usr/local/share/recast/models, /usr/share/recast/models,
    /// and `Models/` in the directories above the running executable (a build inside the repository).
    public static func locate(explicit: String? = nil, containing marker: String = "yunet") throws -> URL {
        var candidates: [String] = []
        if let explicit {
            candidates = [explicit]
        } else {
            if let environment = ProcessInfo.processInfo.environment["RECAST_MODELS"] { candidates.append(environment) }
            candidates += ["/usr/local/share/recast/models", "/usr/share/recast/models"]
            var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                candidates.append(directory.appendingPathComponent("Models").path)
                directory.deleteLastPathComponent()
            }
        }
        for candidate in candidates where FileManager.default.fileExists(atPath: "\(candidate)/\(marker)") {
            return URL(fileURLWithPath: candidate)
        }
        throw NotFound(searched: candidates)
    }
}
