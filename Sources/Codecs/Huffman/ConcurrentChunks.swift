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

/// `elements.map(transform)`, computed on all cores; the result is in order whatever the number of cores.
func mapConcurrently<Element, Result>(_ elements: [Element], _ transform: (Element) -> Result) -> [Result] {
    let results = UnsafeMutableBufferPointer<Result?>.allocate(capacity: elements.count)
    results.initialize(repeating: nil)
    defer { results.deinitialize().deallocate() }
    performConcurrently(iterations: elements.count) { index in results[index] = transform(elements[index]) }
    return results.map { $0! }
}
