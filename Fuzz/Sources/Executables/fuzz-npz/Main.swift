import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "npz") { FuzzDriver.run("npz", $0, $1) }
    }
}
