import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "wpk-index") { FuzzDriver.run("wpk-index", $0, $1) }
    }
}
