import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "prune") { FuzzDriver.run("prune", $0, $1) }
    }
}
