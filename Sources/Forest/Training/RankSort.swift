// Sorting a node's rows by one feature's rank. Keys are packed as (rank << 32 | position),
// so a sort is stable by construction and ties keep the rows' order.

/// Sorts `count` packed keys (rank in the high 32 bits, position in the low 32) by rank,
/// stably, and returns the buffer holding the result (`keys` or `scratch`).
/// `minRank` and `maxRank` bound the ranks present; buckets needs room for 2048 counters.
@inline(__always)
func sortByRank(
    _ keys: UnsafeMutablePointer<UInt64>, scratch: UnsafeMutablePointer<UInt64>, count m: Int,
    minRank: UInt32, maxRank: UInt32, buckets: UnsafeMutablePointer<Int32>
) -> UnsafeMutablePointer<UInt64> {
    if m <= 24 {
        // Insertion sort on the whole word: equal ranks keep their position order.
        for i in 1..<max(m, 1) {
            let v = keys[i]
            var j = i - 1
            while j >= 0 && keys[j] > v {
                keys[j + 1] = keys[j]
                j -= 1
            }
            keys[j + 1] = v
        }
        return keys
    }
    // LSD radix sort on (rank - minRank) with up to 11-bit digits: 1 pass below 2048 distinct
    // ranks, 2 passes below 4 million.
    let span = maxRank &- minRank
    let bits = 32 - span.leadingZeroBitCount
    let passes = (bits + 10) / 11
    let digitBits = (bits + passes - 1) / passes
    let bucketCount = 1 << digitBits
    let mask = UInt32(bucketCount - 1)
    var source = keys
    var target = scratch
    for pass in 0..<passes {
        let shift = UInt32(pass * digitBits)
        buckets.update(repeating: 0, count: bucketCount)
        for i in 0..<m {
            let digit = ((UInt32(truncatingIfNeeded: source[i] &>> 32) &- minRank) &>> shift) & mask
            buckets[Int(digit)] &+= 1
        }
        var total: Int32 = 0
        for b in 0..<bucketCount {
            let c = buckets[b]
            buckets[b] = total
            total &+= c
        }
        for i in 0..<m {
            let v = source[i]
            let digit = Int(((UInt32(truncatingIfNeeded: v &>> 32) &- minRank) &>> shift) & mask)
            target[Int(buckets[digit])] = v
            buckets[digit] &+= 1
        }
        swap(&source, &target)
    }
    return source
}
