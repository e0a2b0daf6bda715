extension String {
    /// Trims by Unicode scalar (a Character set would treat "\r\n" as one element and miss a lone "\n").
    /// Pure Swift, so the core needs no Foundation for it.
    public func trimmingScalars(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var view = Substring(self).unicodeScalars
        while let f = view.first, scalars.contains(f) { view.removeFirst() }
        while let l = view.last, scalars.contains(l) { view.removeLast() }
        return String(view)
    }
}
