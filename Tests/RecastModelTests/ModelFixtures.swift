import Foundation

/// Where the committed model fixtures and the bundled weights live.
enum ModelFixtures {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// `Tests/Fixtures/<name>`: reference inputs and outputs made by the scripts in tools/.
    static func fixture(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name).path
    }

    /// `Models/<name>`: the converted weights the daemon ships with.
    static func model(_ name: String) -> String {
        packageRoot.appendingPathComponent("Models").appendingPathComponent(name).path
    }
}
