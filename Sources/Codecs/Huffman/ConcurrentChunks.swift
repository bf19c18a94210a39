import Dispatch

/// Calls `body` for every index in `0..<count`, on all cores when `count > 1`, and returns when all are done.
///
/// `body` must touch only state owned by its index (its own chunk of input and output), so the results do not
/// depend on the number of cores or the order of the calls.
func performConcurrently(iterations count: Int, _ body: (Int) -> Void) {
    guard count > 1 else {
        if count == 1 { body(0) }
        return
    }
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: count) { work($0) }
    }
}
