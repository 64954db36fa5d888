import Foundation

/// A thread of its own for work that blocks in C calls, joined through `then`: the work, and everything it
/// captured, is let go before `then` runs. Whoever waits for `then` therefore knows the thread no longer holds
/// the pipeline, so the GPU objects behind it are destroyed by the last owner in sight, before the process exits
/// (NVIDIA's driver crashes when a device is destroyed while the process is exiting).
enum StageThread {
    static func start<Value: Sendable>(
        name: String, _ work: @escaping @Sendable () -> Value, then done: @escaping @Sendable (Value) -> Void
    ) {
        let pending = PendingWork(work)
        let thread = Thread {
            done(pending.run())
        }
        thread.name = name
        thread.start()
    }
}

/// Work that runs once and is released when it returns.
private final class PendingWork<Value>: @unchecked Sendable {
    // @unchecked: `work` is read and cleared once, on the one thread that runs it.
    private var work: (() -> Value)?

    init(_ work: @escaping () -> Value) {
        self.work = work
    }

    func run() -> Value {
        let body = work.take()!
        return body()
    }
}
