import Dispatch
import Foundation

/// Produces the items of a known order one ahead of their consumer: while the caller writes item `i`, item `i + 1`
/// is being produced on another thread, so decoding and writing overlap. Memory holds at most two items.
///
/// `produce` is called once per requested item, for one item at a time (never concurrently with itself); it may
/// run on a background thread while the caller works. Call ``finish()`` before anything `produce` captures goes
/// away (e.g. on an error path), so that no production is left running.
final class OneAheadProducer<Item>: @unchecked Sendable {
    private let order: [String]
    private let positions: [String: Int]
    private let produce: (String) throws -> Item
    private let queue = DispatchQueue(label: "weightpack.one-ahead")
    /// The item being produced in the background: its position and, once done, its result.
    private var pending: (position: Int, group: DispatchGroup, result: Result<Item, any Error>?)?
    private let lock = NSLock()

    /// - Parameters:
    ///   - order: the keys in the order the consumer will ask for them.
    ///   - produce: makes the item of a key.
    init(order: [String], produce: @escaping (String) throws -> Item) {
        self.order = order
        positions = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        self.produce = produce
    }

    /// The item of `key`: the one produced ahead when it is the expected next, else produced now; then starts
    /// producing the key after it in ``order``.
    /// - Throws: whatever `produce` threw for this key.
    func item(_ key: String) throws -> Item {
        let position = positions[key]
        var result: Result<Item, any Error>? = nil
        if let pending, pending.position == position {
            pending.group.wait()
            lock.lock()
            result = self.pending?.result
            lock.unlock()
        } else {
            finish()
        }
        pending = nil
        let item = try (result ?? Result { try produce(key) }).get()
        if let position, position + 1 < order.count { start(position + 1) }
        return item
    }

    /// Waits for a production still running in the background and drops its result.
    func finish() {
        pending?.group.wait()
        pending = nil
    }

    private func start(_ position: Int) {
        let group = DispatchGroup()
        pending = (position, group, nil)
        let key = order[position]
        group.enter()
        queue.async { [self] in
            let result = Result { try produce(key) }
            lock.lock()
            pending?.result = result
            lock.unlock()
            group.leave()
        }
    }
}
