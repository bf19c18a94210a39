import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "lowrank") { FuzzDriver.run("lowrank", $0, $1) }
    }
}
