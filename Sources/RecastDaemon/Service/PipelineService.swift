import Foundation
import Logging
import RecastMedia
import ServiceLifecycle

/// Runs a pipeline as a service-lifecycle `Service`: SIGINT/SIGTERM stop it
/// cleanly, systemd hears READY=1 after the first frame is written and
/// WATCHDOG=1 only while frames keep being written.
public struct PipelineService: Service {
    let pipeline: Pipeline
    let notifier: SystemdNotifier
    let logger: Logger

    public init(pipeline: Pipeline, notifier: SystemdNotifier, logger: Logger) {
        self.pipeline = pipeline
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        let notifier = self.notifier
        let logger = self.logger
        pipeline.onFirstFrameWritten = {
            logger.info("first frame written")
            do { try notifier.notify("READY=1\nSTATUS=Streaming") } catch { logger.warning("sd_notify failed: \(error)") }
        }
        let pipeline = self.pipeline
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Self.runOnThread(pipeline) }
                if let interval = notifier.watchdogInterval {
                    group.addTask { try await Self.feedWatchdog(pipeline: pipeline, notifier: notifier, interval: interval) }
                }
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            pipeline.requestStop()
        }
        try? notifier.notify("STOPPING=1")
    }

    /// The pipeline blocks in C calls, so it gets threads of its own rather than the cooperative pool.
    private static func runOnThread(_ pipeline: Pipeline) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            StageThread.start(name: "recast.pipeline", { Result { try pipeline.run() } }, then: { continuation.resume(with: $0) })
        }
    }

    private static func feedWatchdog(pipeline: Pipeline, notifier: SystemdNotifier, interval: Double) async throws {
        var lastCount = -1
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(interval))
            let count = pipeline.framesWritten
            if count != lastCount {
                try? notifier.notify("WATCHDOG=1")
                lastCount = count
            }
        }
    }
}
