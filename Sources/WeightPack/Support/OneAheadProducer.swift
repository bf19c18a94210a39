import Dispatch
import Foundation

/// Produces the items of a known order one ahead of their consumer: while the caller writes item `i`, item `i + 1`
/// is being produced on another thread, so decoding and writing overlap. Memory holds at most two items.
///
/// `produce` is called once per requested item, for one item at a time (never concurrently with itself); it may
/// run on a background thread while the caller works. Call ``finish()`` before anything `produce` captures goes
/// away (e.g. on an error path), so that no production is left running.
final class OneAheadProducer<Item>: @unchecked Sendable {
    /// Where the background production leaves its result; read only after its group is done.
    private final class Slot: @unchecked Sendable {
        var result: Result<Item, any Error>?
    }

    private let order: [String]
    private let positions: [String: Int]
    private let produce: (String) throws -> Item
    private let queue = DispatchQueue(label: "weightpack.one-ahead")
    /// The item being produced in the background (touched by the caller's thread only): its position, the group
    /// it leaves when done, and the slot its result goes to.
    private var pending: (position: Int, group: DispatchGroup, slot: Slot)?

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
            pending.group.wait()  // the slot's write happens before the group is left
            result = pending.slot.result
            self.pending = nil
        } else {
            finish()
        }
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
        let slot = Slot()
        pending = (position, group, slot)
        let key = order[position]
        nonisolated(unsafe) let produce = produce  // called for one item at a time: see the type's documentation
        group.enter()
        queue.async {
            slot.result = Result { try produce(key) }
            group.leave()
        }
    }
}
