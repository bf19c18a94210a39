import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "cluster") { FuzzDriver.run("cluster", $0, $1) }
    }
}
