import Dispatch
import Foundation

/// Runs independent work items on all cores and returns their results in order.
enum ParallelMap {
    /// The number of items worth running at once: the active cores, at most 8.
    static var width: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }

    /// `body(0) … body(count − 1)` on up to ``width`` threads; results in index order. When several items throw,
    /// the error of the lowest index is rethrown (so errors are deterministic).
    static func map<T>(_ count: Int, _ body: (Int) throws -> T) throws -> [T] {
        guard count > 1, width > 1 else { return try (0..<count).map(body) }
        let slots = Slots<T>(count: count)
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { index in
                slots.set(index, Result { try box.value(index) })
            }
        }
        return try slots.results().map { try $0.get() }
    }

    private final class Slots<T>: @unchecked Sendable {
        private var storage: [Result<T, any Error>?]
        private let lock = NSLock()
        init(count: Int) { storage = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ result: Result<T, any Error>) {
            lock.lock()
            storage[index] = result
            lock.unlock()
        }
        func results() -> [Result<T, any Error>] { storage.map { $0! } }
    }

    /// Carries a closure that is only called while `map` waits for it.
    private struct UnsafeSendable<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }
}
