import Foundation
import Testing

/// `recastd eval` on the talking-head fixture: against itself, and against its swap.
@Suite("recastd eval")
struct EvalCommandTests {
    static let identity = SwapRunTests.fixture("images/obama_456x568.jpg")
    static let fixtureClip = SwapRunTests.fixture("video/talking_head_d18.mp4")

    /// The fixture's first `frames` frames as a clip of its own, so a swap of it stays quick.
    func trimmedClip(frames: Int, in work: URL) throws -> String {
        let clip = work.appendingPathComponent("clip.mp4").path
        try runTool(TestTools.tool("ffmpeg"), ["-v", "error", "-i", Self.fixtureClip, "-frames:v", "\(frames)",
                                               "-an", "-c:v", "libx264", "-preset", "ultrafast", clip])
        return clip
    }

    func evaluatedClips(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        return try #require(object?["clips"] as? [[String: Any]])
    }

    @Test("a clip against itself is perfect; against its swap the identity moves to the reference (first 16 frames)")
    func selfAndSwap() throws {
        let work = try TestTools.temporaryDirectory("eval")
        let full = Self.fixtureClip
        let clip = try trimmedClip(frames: 20, in: work)
        let swapped = work.appendingPathComponent("swapped.mp4").path
        let run = try runTool(TestTools.recastdPath, ["run", "--input", clip, "--identity", Self.identity, "--output", swapped,
                                                      "--log-level", "warning"], timeout: 300)
        #expect(run.status == 0, "\(run.stderr)")

        let json = work.appendingPathComponent("eval.json").path
        let series = work.appendingPathComponent("series.csv").path
        let result = try runTool(TestTools.recastdPath, ["eval", "--source", full, "--output", full, "--source", clip, "--output", swapped,
                                                         "--identity", Self.identity, "--frames", "16", "--json", json, "--series", series],
                                 timeout: 600)
        #expect(result.status == 0, "\(result.stderr)")
        print(result.stdout)
        #expect(result.stdout.contains("mouth-opening correlation"))
        let clips = try evaluatedClips(json)
        try #require(clips.count == 2)
        let itself = clips[0], swap = clips[1]
        func figure(_ clip: [String: Any], _ key: String) throws -> Double { try #require(clip[key] as? Double, "\(key) in \(clip)") }

        #expect(itself["clipFrames"] as? Int == 216)
        #expect(itself["evaluatedFrames"] as? Int == 16)
        #expect(itself["measuredFrames"] as? Int == 16)
        #expect(abs(try figure(itself, "mouthCorrelation") - 1) < 1e-9)
        #expect(abs(try figure(itself, "eyeCorrelation") - 1) < 1e-9)
        #expect(try figure(itself, "flickerRatio") == 1)
        #expect(try figure(itself, "headPositionError") == 0)
        #expect(abs(try figure(itself, "similarityToSource") - 1) < 1e-4)
        #expect(try figure(itself, "closerToReference") == 0)

        #expect(swap["clipFrames"] as? Int == 20)
        #expect(swap["measuredFrames"] as? Int == 16)
        let before = try figure(itself, "similarityToReference"), after = try figure(swap, "similarityToReference")
        #expect(after > before + 0.15, "similarity to the reference \(before) → \(after)")
        #expect(try figure(swap, "similarityToSource") < 0.9)
        #expect(try figure(swap, "headPositionError") < 0.1)

        // Each evaluated frame's readings: the clip against itself reads the same on both sides; a first frame has no change.
        let rows = try String(contentsOfFile: series, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        try #require(rows.count == 1 + 2 * 16, "\(rows.count) rows")
        #expect(rows[0].count == 10 && rows[0][4] == "source_eyes" && rows[0][5] == "output_eyes")
        for row in rows[1...16] {
            #expect(row[0] == full && row[2] == row[3] && row[4] == row[5] && row[8] == row[9], "\(row)")
        }
        #expect(rows[1][8].isEmpty && rows[17][8].isEmpty && !rows[18][8].isEmpty)
        #expect(rows[17...].allSatisfy { $0[0] == swapped })
    }

    @Test("clips of different frame counts are refused, naming both, before any model runs")
    func mismatchedClips() throws {
        let work = try TestTools.temporaryDirectory("eval")
        let clip = try trimmedClip(frames: 10, in: work)
        let full = Self.fixtureClip
        let result = try runTool(TestTools.recastdPath, ["eval", "--source", full, "--output", clip, "--identity", Self.identity])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the source \(full) has 216 frames but the output \(clip) has 10"), "\(result.stderr)")

        let unpaired = try runTool(TestTools.recastdPath, ["eval", "--source", full, "--identity", Self.identity])
        #expect(unpaired.status != 0)
        #expect(unpaired.stderr.contains("give one --output per --source"), "\(unpaired.stderr)")
    }
}
