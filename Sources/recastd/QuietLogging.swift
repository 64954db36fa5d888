import Logging
import RecastMedia

/// For the one-shot commands (faces, infer, bench): only warnings and errors on
/// stderr, FFmpeg's own lines included, so their output is just the result.
func bootstrapQuietLogging() {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .warning
        return handler
    }
    FFmpegLogging.install(level: .warning)
}
