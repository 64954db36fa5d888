import ArgumentParser

@main
struct Recastd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recastd",
        abstract: "Live face replacement: camera or RTMP in, virtual camera or RTMP out.",
        subcommands: [RunCommand.self, DevicesCommand.self, FacesCommand.self, InferCommand.self, EvalCommand.self, BenchCommand.self, TrainingPairsCommand.self]
    )
}
