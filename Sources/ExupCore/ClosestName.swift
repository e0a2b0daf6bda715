/// "Did you mean …": the known name closest to a mistyped one, when it is close enough to be the intent
/// (an edit distance of at most a third of its length), or one that starts the other.
public enum ClosestName {
    public static func suggest(_ typed: String, among names: [String]) -> String? {
        let typed = typed.lowercased()
        let limit = max(1, typed.count / 3)
        let scored = names.map { ($0, distance(typed, $0.lowercased())) }.filter { $0.1 <= limit && $0.1 > 0 }
        if let best = scored.min(by: { $0.1 < $1.1 }) { return best.0 }
        // One is the start of the other ("hostname" for host, "serv" for servers).
        return names.filter { name in
            let known = name.lowercased()
            return known != typed && min(known.count, typed.count) >= 3 && (known.hasPrefix(typed) || typed.hasPrefix(known))
        }.min { $0.count < $1.count }
    }

    /// Levenshtein distance, with a transposition counted as one edit.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
            }
        }
        return table[a.count][b.count]
    }
}
