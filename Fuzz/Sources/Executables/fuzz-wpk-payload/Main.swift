import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "wpk-payload") { FuzzDriver.run("wpk-payload", $0, $1) }
    }
}
