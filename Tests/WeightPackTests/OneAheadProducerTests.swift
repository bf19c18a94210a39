import Foundation
import Testing

@testable import WeightPack

@Suite("One-ahead producer")
struct OneAheadProducerTests {
    /// Records which keys were produced, from any thread.
    final class Log: @unchecked Sendable {
        private var keys: [String] = []
        private let lock = NSLock()
        func append(_ key: String) {
            lock.lock()
            keys.append(key)
            lock.unlock()
        }
        var produced: [String] {
            lock.lock()
            defer { lock.unlock() }
            return keys
        }
    }

    struct Failure: Error, Equatable { var key: String }

    @Test func itemsInOrderComeBackEachProducedOnce() throws {
        let log = Log()
        let producer = OneAheadProducer<String>(order: ["a", "b", "c", "d"]) { key in
            log.append(key)
            return key.uppercased()
        }
        #expect(try ["a", "b", "c", "d"].map { try producer.item($0) } == ["A", "B", "C", "D"])
        producer.finish()
        #expect(log.produced == ["a", "b", "c", "d"])
    }

    @Test func aRequestOutOfOrderIsProducedThenAndTheLookAheadMovesOn() throws {
        let log = Log()
        let producer = OneAheadProducer<String>(order: ["a", "b", "c", "d"]) { key in
            log.append(key)
            return key.uppercased()
        }
        #expect(try producer.item("a") == "A")  // starts "b"
        #expect(try producer.item("c") == "C")  // "b" is dropped; starts "d"
        #expect(try producer.item("d") == "D")
        #expect(try producer.item("x") == "X")  // a key outside the order is produced when asked
        producer.finish()
        #expect(log.produced.filter { $0 == "d" }.count == 1)
        #expect(log.produced.contains("x"))
    }

    @Test func anErrorReachesTheRequestForItsKeyOnly() throws {
        let producer = OneAheadProducer<String>(order: ["a", "b", "c"]) { key in
            if key == "b" { throw Failure(key: key) }
            return key
        }
        #expect(try producer.item("a") == "a")
        #expect(throws: Failure(key: "b")) { try producer.item("b") }
        #expect(try producer.item("c") == "c")
        producer.finish()
    }
}
