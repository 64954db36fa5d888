import CFFmpeg
import CRecastShims
import Foundation
import Logging

/// Routes FFmpeg's own log lines into swift-log, so they share recastd's format and level.
public enum FFmpegLogging {
    private static let logger = Logger(label: "recast.ffmpeg")

    public static func install(level: Logger.Level) {
        // FFmpeg's own errors repeat what recastd reports with more context, so they show from debug on.
        let maxLevel = level <= .trace ? AV_LOG_VERBOSE : (level <= .debug ? AV_LOG_WARNING : AV_LOG_QUIET)
        recast_set_av_log_sink({ level, line in
            guard let line else { return }
            let text = String(cString: line).trimmingCharacters(in: .newlines)
            guard !text.isEmpty else { return }
            switch level {
            case ...AV_LOG_ERROR: FFmpegLogging.logger.error("\(text)")
            case ...AV_LOG_WARNING: FFmpegLogging.logger.warning("\(text)")
            case ...AV_LOG_INFO: FFmpegLogging.logger.info("\(text)")
            default: FFmpegLogging.logger.debug("\(text)")
            }
        }, maxLevel)
    }
}
