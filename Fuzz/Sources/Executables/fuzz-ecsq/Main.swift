import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "ecsq") { FuzzDriver.run("ecsq", $0, $1) }
    }
}
