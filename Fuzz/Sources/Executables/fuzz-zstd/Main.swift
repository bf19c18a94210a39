import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "zstd") { FuzzDriver.run("zstd", $0, $1) }
    }
}
