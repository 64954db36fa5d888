import Foundation

/// A thread-safe FIFO between two pipeline stages, holding at most `capacity`
/// items. A live queue drops its oldest item when full (latency stays bounded,
/// the drop is counted); a lossless queue makes the producer wait instead.
final class BoundedQueue<Element>: @unchecked Sendable {
    // @unchecked: every access to the mutable state happens under `condition`.
    enum Policy { case dropOldest, block }

    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false
    private(set) var dropped = 0
    let capacity: Int
    let policy: Policy

    init(capacity: Int, policy: Policy) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.policy = policy
    }

    private var count: Int { items.count - head }

    /// Adds an item; returns the item that was dropped to make room, if any.
    /// Returns without adding when the queue is closed.
    @discardableResult
    func push(_ item: Element) -> Element? {
        condition.lock()
        defer { condition.unlock() }
        var droppedItem: Element?
        while count >= capacity && !closed {
            if policy == .dropOldest {
                droppedItem = items[head]
                head += 1
                dropped += 1
            } else {
                condition.wait()
            }
        }
        guard !closed else { return nil }
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        items.append(item)
        condition.broadcast()
        return droppedItem
    }

    /// Takes the oldest item, waiting for one; nil once closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        guard count > 0 else { return nil }
        let item = items[head]
        head += 1
        condition.broadcast()
        return item
    }

    /// Ends the queue: waiting pushes return, pops drain what is left then return nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Drops everything queued (used when an output is down).
    func removeAll() -> Int {
        condition.lock()
        defer { condition.unlock() }
        let removed = count
        items.removeAll()
        head = 0
        dropped += removed
        condition.broadcast()
        return removed
    }

    var droppedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }
}
