import Foundation

/// A blocking first-in first-out queue with a fixed capacity, for handing work from one thread to
/// another: `put` waits while the queue is full, `take` waits while it is empty.
package final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private let capacity: Int
    private var closed = false

    package init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds an element, waiting for room. Returns false if the queue was closed.
    @discardableResult
    package func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        if closed { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// Takes the oldest element, waiting for one; nil once the queue is closed and drained.
    package func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        if items.isEmpty { return nil }
        // The queue holds a handful of elements, so removing the first is cheap, and it releases the
        // element at once (a batch can be tens of megabytes).
        let e = items.removeFirst()
        condition.broadcast()
        return e
    }

    /// No more elements will be added; waiting takers get nil once the queue is drained.
    package func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the producer: drops what is queued and makes `put` return false.
    package func cancel() {
        condition.lock()
        closed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
