import LedgerValues

/// Calls waiting to be written, kept in (timestamp, generation order) order so the output is sorted by
/// time although an action's calls are generated together and actions overlap.
///
/// Calls live in a slot array reused through a free list; the heap moves only small keys. Its size is
/// bounded by the calls started within the longest action (batch jobs, agent runs), not by the output.
struct SamplePendingCalls {
    private struct Entry {
        var timestamp: Int64
        var sequence: Int64
        var slot: Int
    }

    private var heap: [Entry] = []
    private var slots: [SampleCall] = []
    private var freeSlots: [Int] = []
    private var nextSequence: Int64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var earliest: Int64? { heap.first?.timestamp }

    mutating func push(_ call: SampleCall) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slots[free] = call
            slot = free
        } else {
            slots.append(call)
            slot = slots.count - 1
        }
        heap.append(Entry(timestamp: call.timestamp, sequence: nextSequence, slot: slot))
        nextSequence += 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard SamplePendingCalls.less(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest call.
    mutating func popEarliest() -> SampleCall? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            let n = heap.count
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var m = l
                if l + 1 < n, SamplePendingCalls.less(heap[l + 1], heap[l]) { m = l + 1 }
                guard SamplePendingCalls.less(heap[m], heap[i]) else { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        freeSlots.append(top.slot)
        return slots[top.slot]
    }

    private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.sequence < b.sequence
    }
}
