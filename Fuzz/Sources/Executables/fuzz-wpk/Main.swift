import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "wpk") { FuzzDriver.run("wpk", $0, $1) }
    }
}
