import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "lz4") { FuzzDriver.run("lz4", $0, $1) }
    }
}
