import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "npy") { FuzzDriver.run("npy", $0, $1) }
    }
}
