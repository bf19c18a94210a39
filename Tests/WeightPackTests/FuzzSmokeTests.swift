import Foundation
import TestSupport
import Testing

/// The deterministic fuzz pass CI runs: for every fuzz target, each seed as is and a fixed number of seeded
/// mutations of the seeds (byte flips, boundary integers and decimals, truncations, extensions, splices).
/// A trap fails the run by stopping the test process; a slow input fails its test. The libFuzzer executables
/// of the `Fuzz/` package run the same entry points without a bound (scripts/fuzz.sh).
///
/// `WEIGHTPACK_FUZZ_MUTATIONS` sets the mutations per target (default 3000); `WEIGHTPACK_FUZZ_SEED` the seed.
struct FuzzSmokeTests {
    /// Mutations per target for one run.
    static let mutationCount =
        ProcessInfo.processInfo.environment["WEIGHTPACK_FUZZ_MUTATIONS"].flatMap(Int.init) ?? 3000
    /// The seed of the run's mutations.
    static let seed = ProcessInfo.processInfo.environment["WEIGHTPACK_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xF022

    /// The most seconds one input may take (libFuzzer's `-timeout` in scripts/fuzz.sh is the same).
    static let secondsPerInputLimit = 5.0

    @Test(arguments: FuzzTarget.allCases)
    func everySeedAndMutationReturnsWithoutTrapping(target: FuzzTarget) throws {
        let seeds = target.seeds(fixtures: Fixtures.url(""))
        try #require(!seeds.isEmpty, "target \(target.rawValue) has seeds")
        var mutator = Mutator(seed: Self.seed ^ UInt64(FuzzTarget.allCases.firstIndex(of: target) ?? 0))
        var slowest = (seconds: 0.0, input: [UInt8]())
        var acceptedMutants = 0
        func run(_ input: [UInt8]) -> Bool {
            let start = ContinuousClock.now
            let accepted = target.run(input)
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if seconds > slowest.seconds { slowest = (seconds, input) }
            return accepted
        }
        for seed in seeds { _ = run(seed) }
        for round in 0..<Self.mutationCount {
            let base = seeds[round % seeds.count]
            if run(mutator.mutate(base, donors: seeds, rounds: 1 + round % 3)) { acceptedMutants += 1 }
        }
        let slowInput = "\(slowest.input.count) bytes starting \(slowest.input.prefix(16))"
        #expect(
            slowest.seconds < Self.secondsPerInputLimit,
            "slowest \(target.rawValue) input took \(slowest.seconds) s: \(slowInput)")
        // Some mutants must get through the readers' checks, or the fuzzing only exercises the first check.
        #expect(Self.mutationCount < 100 || acceptedMutants > 0, "no \(target.rawValue) mutant was accepted")
    }

    /// The seeds built from valid data decode: the harness reaches the decoders, not only their first check.
    @Test(arguments: FuzzTarget.allCases)
    func everyGeneratedSeedIsAccepted(target: FuzzTarget) {
        for (position, seed) in target.generatedSeeds().enumerated() {
            #expect(target.run(seed), "\(target.rawValue) seed \(position) (\(seed.count) bytes) is refused")
        }
    }

    /// Every input saved in `fixtures/fuzz-corpus/<target>/` returns normally. Each runs in a child process, so
    /// that one that still traps fails this test instead of stopping the test run.
    @Test(arguments: FuzzTarget.allCases)
    func savedFailingInputsReturnWithoutTrapping(target: FuzzTarget) async {
        for saved in target.savedInputs(fixtures: Fixtures.url("")) {
            let name = target.rawValue
            let input = saved.bytes
            await #expect(processExitsWith: .success, "fixtures/fuzz-corpus/\(name)/\(saved.name)") {
                [name = name as String, input = input as [UInt8]] in
                _ = FuzzTarget(rawValue: name)?.run(input)
            }
        }
    }

    @Test func mutatorIsDeterministic() {
        var first = Mutator(seed: 7)
        var second = Mutator(seed: 7)
        let input = Array("{\"a\":{\"data_offsets\":[0,16]}}".utf8)
        for _ in 0..<200 { #expect(first.mutate(input, donors: [input]) == second.mutate(input, donors: [input])) }
    }

    @Test func stageInputRoundTrips() throws {
        let input = FuzzStageInput(
            shape: [3, 70_000], dtype: .float16, parameters: ["bits": "4", "granularity": "group"],
            sections: [[1, 2, 3], [], [9]])
        let (parsed, rest) = try #require(FuzzStageInput.parse(input.serialized()))
        #expect(parsed.shape == input.shape && parsed.dtype == input.dtype && parsed.parameters == input.parameters)
        #expect(FuzzStageInput.split(rest, count: 3) == input.sections)
    }

    @Test func everyStageTargetHasSeedsFromEachRecipeArgumentList() {
        for (target, arguments) in FuzzTarget.stageArguments {
            #expect(target.generatedSeeds().count >= arguments.count, "\(target.rawValue)")
        }
        #expect(FuzzContainers.templates.count == FuzzContainers.recipes.count)
    }
}
