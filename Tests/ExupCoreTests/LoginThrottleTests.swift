import Testing

@testable import ExupCore

@Suite struct LoginThrottleTests {
    @Test("five failures are free; then the wait doubles from 2 s up to 15 min; a success forgets them")
    func backoff() {
        var throttle = LoginThrottle()
        for second in 0..<5 {
            #expect(throttle.wait(user: "olga", now: Int64(second)) == 0)
            throttle.failed(user: "olga", now: Int64(second))
        }
        #expect(throttle.wait(user: "olga", now: 4) == 2, "the fifth failure costs 2 s")
        #expect(throttle.wait(user: "olga", now: 5) == 1)
        #expect(throttle.wait(user: "olga", now: 6) == 0)
        throttle.failed(user: "olga", now: 6)
        #expect(throttle.wait(user: "olga", now: 6) == 4, "then 4 s")
        #expect(throttle.wait(user: "vic", now: 6) == 0, "other names are not slowed")
        for _ in 0..<30 { throttle.failed(user: "olga", now: 100) }
        #expect(throttle.wait(user: "olga", now: 100) == 900, "never more than 15 minutes")
        throttle.succeeded(user: "olga")
        #expect(throttle.wait(user: "olga", now: 100) == 0)
    }

    @Test("guesses at many unknown names keep at most `capacity` of them")
    func bounded() {
        var throttle = LoginThrottle()
        throttle.capacity = 100
        for index in 0..<1_000 { throttle.failed(user: "guess\(index)", now: Int64(index)) }
        #expect(throttle.entries.count <= 100)
    }
}
